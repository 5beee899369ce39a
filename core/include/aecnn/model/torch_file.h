#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QString>

#include <torch/types.h>

#include "aecnn/model/torch_pickle.h"

namespace aecnn::torchfile {

// What a file written by Python's torch.save holds: the unpickled object and the
// storages its tensors view. Both of torch.save's containers are read:
//   zip (the default since 1.6): <name>/data.pkl + <name>/data/<key> + <name>/version,
//   legacy (_use_new_zipfile_serialization=False): magic number, protocol and
//   sys_info pickles, the object pickle, the storage key list pickle, then each
//   storage as an 8-byte little-endian element count and its raw bytes.
class TorchSave {
public:
    PickleRef root;
    std::string source; // names the file in errors

    // The tensor `ref` stands for, as its own contiguous CPU tensor in the saved
    // dtype; throws aecnn::Error naming the file if the view lies outside its storage.
    torch::Tensor tensor(const TensorRef& ref) const;

    std::map<std::string, torch::Tensor> storages; // key -> 1-D tensor of the storage's dtype
};

TorchSave readTorchSave(const QString& path);
// `source` names the data in errors (usually "file <path>").
TorchSave parseTorchSave(const QByteArray& bytes, const std::string& source);

// torch.save(OrderedDict(state)) in the zip format of PyTorch 1.13, readable by Python's
// torch.load. Each tensor is written contiguous, with its own storage.
QByteArray serializeTorchStateDict(const std::vector<std::pair<std::string, torch::Tensor>>& state);

} // namespace aecnn::torchfile
