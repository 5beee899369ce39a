#include "aecnn/model/torch_file.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <caffe2/serialize/read_adapter_interface.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"

namespace aecnn::torchfile {
namespace {

constexpr qint64 kMaxFileBytes = qint64(4) << 30;

struct StorageType {
    const char* name;
    torch::ScalarType dtype;
};

constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", torch::kFloat},   {"DoubleStorage", torch::kDouble}, {"HalfStorage", torch::kHalf},
    {"BFloat16Storage", torch::kBFloat16}, {"LongStorage", torch::kLong}, {"IntStorage", torch::kInt},
    {"ShortStorage", torch::kShort},   {"CharStorage", torch::kChar},     {"ByteStorage", torch::kByte},
    {"BoolStorage", torch::kBool},
};

torch::ScalarType dtypeOf(const std::string& storageType, const std::string& source)
{
    for (const auto& t : kStorageTypes)
        if (storageType == t.name)
            return t.dtype;
    std::string valid;
    for (const auto& t : kStorageTypes)
        valid += std::string(valid.empty() ? "" : ", ") + t.name;
    throw Error(source + " holds a torch." + storageType + ", which is not supported (supported: " + valid + ")");
}

const char* storageTypeOf(torch::ScalarType dtype)
{
    for (const auto& t : kStorageTypes)
        if (t.dtype == dtype)
            return t.name;
    throw Error(std::string("cannot save a tensor of type ") + c10::toString(dtype) + " in torch.save's format");
}

torch::Tensor storageFromBytes(const StorageRef& ref, const char* data, size_t bytes, const std::string& source)
{
    const auto dtype = dtypeOf(ref.type, source);
    const auto elementSize = c10::elementSize(dtype);
    if (ref.numel < 0 || uint64_t(ref.numel) > bytes / elementSize)
        throw Error(source + ": storage '" + ref.key + "' should hold " + std::to_string(ref.numel) + " elements (" +
                    std::to_string(uint64_t(ref.numel) * elementSize) + " bytes) but has " + std::to_string(bytes) +
                    " bytes; the file is truncated or damaged");
    auto storage = torch::empty({ref.numel}, torch::TensorOptions().dtype(dtype));
    if (ref.numel > 0)
        std::memcpy(storage.data_ptr(), data, size_t(ref.numel) * elementSize);
    return storage;
}

bool isZip(const QByteArray& bytes)
{
    return bytes.size() >= 4 && std::memcmp(bytes.constData(), "PK\x03\x04", 4) == 0;
}

// LibTorch's MemoryReadAdapter copies whatever it is asked for, so a truncated or damaged zip made
// it read past the buffer (and at times "succeed" on what lay beyond). This one stops at the end;
// the zip reader then reports the short read as an error.
class BoundedMemoryReader final : public caffe2::serialize::ReadAdapterInterface {
public:
    explicit BoundedMemoryReader(const QByteArray& bytes) : bytes_(bytes) {}
    size_t size() const override { return size_t(bytes_.size()); }
    size_t read(uint64_t pos, void* buf, size_t n, const char*) const override
    {
        if (pos >= uint64_t(bytes_.size()))
            return 0;
        const size_t available = std::min<size_t>(n, size_t(uint64_t(bytes_.size()) - pos));
        std::memcpy(buf, bytes_.constData() + pos, available);
        return available;
    }

private:
    const QByteArray& bytes_;
};

// The zip container, read with LibTorch's own reader (the one Python uses).
void readZip(const QByteArray& bytes, TorchSave& save)
{
    try {
        caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BoundedMemoryReader>(bytes));
        if (reader.hasRecord("constants.pkl"))
            throw Error(save.source + " is a TorchScript file (torch.jit.save), not a state_dict; in Python, "
                                      "save the weights with torch.save(model.state_dict(), path)");
        if (!reader.hasRecord("data.pkl"))
            throw Error(save.source + " is a zip file without data.pkl, so it was not written by torch.save; "
                                      "save the weights with torch.save(model.state_dict(), path)");
        auto [pickleData, pickleSize] = reader.getRecord("data.pkl");
        std::map<std::string, StorageRef> storages;
        size_t offset = 0;
        save.root = unpickle(std::string_view(static_cast<const char*>(pickleData.get()), pickleSize), offset,
                             save.source, &storages);
        for (const auto& [key, ref] : storages) {
            const std::string record = "data/" + key;
            if (!reader.hasRecord(record))
                throw Error(save.source + ": storage '" + key + "' is missing from the zip; the file is damaged");
            auto [data, size] = reader.getRecord(record);
            save.storages[key] = storageFromBytes(ref, static_cast<const char*>(data.get()), size, save.source);
        }
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        throw Error(save.source + " is not a readable torch.save zip (" + what.substr(0, what.find('\n')) +
                    "); the file is truncated or damaged, save it again with torch.save");
    }
}

// The legacy container: magic number, protocol version, sys_info, object, storage keys, storages.
void readLegacy(const QByteArray& bytes, TorchSave& save)
{
    const std::string_view data(bytes.constData(), size_t(bytes.size()));
    const std::string& source = save.source;
    size_t offset = 0;
    std::optional<PickleRef> magic;
    try {
        magic = unpickle(data, offset, source);
    } catch (const Error&) {
        magic.reset();
    }
    // 0x1950a86a20f9469cfc6c, little endian
    static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
    if (!magic || (*magic)->kind != PickleValue::Kind::BigInt || (*magic)->text != kMagic)
        throw Error(source + " is not a file written by torch.save (neither its zip nor its legacy format); "
                             "save the weights with torch.save(model.state_dict(), path)");
    const auto protocol = unpickle(data, offset, source);
    if (protocol->kind != PickleValue::Kind::Int || protocol->integer != 1001)
        throw Error(source + ": unsupported legacy torch.save protocol version; save it again with torch.save");
    const auto sysInfo = unpickle(data, offset, source);
    if (sysInfo->kind == PickleValue::Kind::Dict)
        for (const auto& [key, value] : sysInfo->entries)
            if (key->isString() && key->text == "little_endian" && value->kind == PickleValue::Kind::Bool &&
                value->integer == 0)
                throw Error(source + " was written on a big-endian machine, which is not supported");
    std::map<std::string, StorageRef> storages;
    save.root = unpickle(data, offset, source, &storages);
    const auto keys = unpickle(data, offset, source);
    if (keys->kind != PickleValue::Kind::List)
        throw Error(source + ": the storage key list is missing; the file is damaged");
    for (const auto& key : keys->items) {
        if (!key->isString() || !storages.count(key->text))
            throw Error(source + ": the storage key list names a storage no tensor uses; the file is damaged");
        const auto& ref = storages.at(key->text);
        if (data.size() - offset < 8)
            throw Error(source + ": the data of storage '" + key->text + "' is missing; the file is truncated");
        int64_t numel = 0;
        for (int i = 0; i < 8; ++i)
            numel |= int64_t(static_cast<unsigned char>(data[offset + size_t(i)])) << (8 * i);
        offset += 8;
        if (numel != ref.numel)
            throw Error(source + ": storage '" + key->text + "' has " + std::to_string(numel) +
                        " elements where the pickle says " + std::to_string(ref.numel) + "; the file is damaged");
        const size_t elementSize = c10::elementSize(dtypeOf(ref.type, source));
        if (numel < 0 || uint64_t(numel) > (data.size() - offset) / elementSize)
            throw Error(source + ": the data of storage '" + key->text + "' is cut short; the file is truncated, save it again with torch.save");
        const size_t bytesNeeded = size_t(numel) * elementSize;
        save.storages[key->text] = storageFromBytes(ref, data.data() + offset, bytesNeeded, source);
        offset += bytesNeeded;
    }
    for (const auto& [key, ref] : storages)
        if (!save.storages.count(key))
            throw Error(source + ": storage '" + key + "' is used but not stored; the file is damaged");
}

} // namespace

torch::Tensor TorchSave::tensor(const TensorRef& ref) const
{
    auto it = storages.find(ref.storage.key);
    if (it == storages.end())
        throw Error(source + ": a tensor refers to storage '" + ref.storage.key + "' that the file does not hold");
    const auto& storage = it->second;
    // The view must lie inside the storage and have no more elements than it: a
    // state_dict's tensors never overlap themselves (no stride-0 expansion).
    int64_t last = ref.offset;
    int64_t numel = 1;
    bool empty = false;
    bool valid = ref.offset >= 0;
    for (size_t d = 0; d < ref.sizes.size() && valid; ++d) {
        const int64_t size = ref.sizes[d];
        const int64_t stride = ref.strides[d];
        valid = size >= 0 && stride >= 0 && !__builtin_mul_overflow(numel, size, &numel);
        if (size == 0)
            empty = true;
        int64_t reach = 0;
        if (valid && size > 1)
            valid = !__builtin_mul_overflow(size - 1, stride, &reach) && !__builtin_add_overflow(last, reach, &last);
    }
    if (!valid || (!empty && (last >= storage.numel() || numel > storage.numel())))
        throw Error(source + ": a tensor of storage '" + ref.storage.key +
                    "' lies outside the storage or has an invalid size or stride; the file is damaged");
    if (empty)
        return torch::empty(ref.sizes, storage.options());
    return storage.as_strided(ref.sizes, ref.strides, ref.offset).clone(torch::MemoryFormat::Contiguous);
}

TorchSave parseTorchSave(const QByteArray& bytes, const std::string& source)
{
    TorchSave save;
    save.source = source;
    if (isZip(bytes))
        readZip(bytes, save);
    else
        readLegacy(bytes, save);
    return save;
}

TorchSave readTorchSave(const QString& path)
{
    return parseTorchSave(readWholeFile(path, kMaxFileBytes), "file " + path.toStdString());
}

QByteArray serializeTorchStateDict(const std::vector<std::pair<std::string, torch::Tensor>>& state)
{
    std::vector<std::pair<std::string, TensorRef>> refs;
    std::vector<torch::Tensor> data;
    for (const auto& [name, tensor] : state) {
        auto t = tensor.detach().to(torch::kCPU).contiguous();
        TensorRef ref;
        ref.storage = {std::to_string(refs.size()), storageTypeOf(t.scalar_type()), t.numel()};
        ref.sizes = t.sizes().vec();
        ref.strides = t.strides().vec();
        refs.emplace_back(name, ref);
        data.push_back(t);
    }
    const std::string pickle = pickleTensorDict(refs);
    QByteArray out;
    caffe2::serialize::PyTorchStreamWriter writer([&out](const void* buf, size_t n) {
        out.append(static_cast<const char*>(buf), qsizetype(n));
        return n;
    });
    writer.writeRecord("data.pkl", pickle.data(), pickle.size());
    for (size_t i = 0; i < data.size(); ++i)
        writer.writeRecord("data/" + refs[i].second.storage.key, data[i].data_ptr(), data[i].nbytes());
    writer.writeEndOfFile();
    return out;
}

} // namespace aecnn::torchfile
