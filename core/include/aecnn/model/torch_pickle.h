#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aecnn::torchfile {

// Python's pickle format, the part of it that torch.save writes (protocol 2; the
// few protocol 4 opcodes are read too), with no Python. No torch here: tensors
// are references into storages that the container (zip or legacy file) holds apart.

// A storage as torch.save's persistent id names it: ('storage', torch.FloatStorage, key, location, numel).
struct StorageRef {
    std::string key;
    std::string type; // the storage class without "torch.", e.g. "FloatStorage", "HalfStorage"
    int64_t numel = 0; // elements, not bytes
};

// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...).
struct TensorRef {
    StorageRef storage;
    int64_t offset = 0;
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;
};

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

struct PickleValue {
    PickleValue() = default;
    PickleValue(const PickleValue&) = delete;
    PickleValue& operator=(const PickleValue&) = delete;
    // Frees nested values iteratively: a hostile file may nest a million lists deep.
    ~PickleValue();

    enum class Kind {
        None,
        Bool,
        Int,
        BigInt, // LONG1/LONG4 wider than 64 bits: `text` holds the little-endian two's complement bytes
        Float,
        String,
        Bytes,
        Tuple,
        List,
        Dict,    // dict and collections.OrderedDict, entries in insertion order
        Global,  // a class or function: `text` is "module.name"
        Object,  // any other call (REDUCE/NEWOBJ): `text` is the callable, `items` its arguments
        Storage, // a persistent id of torch.save
        Tensor,
    };
    Kind kind = Kind::None;
    int64_t integer = 0;
    double real = 0.0;
    std::string text;
    std::vector<PickleRef> items;
    std::vector<std::pair<PickleRef, PickleRef>> entries;
    PickleRef state; // what BUILD set (an OrderedDict's _metadata, an object's __dict__)
    TensorRef tensor; // Storage (only `storage`) and Tensor

    bool isString() const { return kind == Kind::String; }
};

// A readable name of a value's type for error messages, e.g. "list", "torchvision.models.resnet.ResNet".
std::string describe(const PickleValue& value);

// Reads one pickle starting at `offset` in `data` and advances `offset` past its STOP.
// Every storage that a tensor refers to is added to `storages` (by key) when given.
// Throws aecnn::Error naming `source`, the opcode and its offset on malformed or
// truncated input and on opcodes outside the supported set.
PickleRef unpickle(std::string_view data, size_t& offset, const std::string& source,
                   std::map<std::string, StorageRef>* storages = nullptr);

// Pickles an OrderedDict of tensors exactly the way torch.save (protocol 2) lays out
// a state_dict, so that Python's torch.load reads it.
std::string pickleTensorDict(const std::vector<std::pair<std::string, TensorRef>>& entries);

} // namespace aecnn::torchfile
