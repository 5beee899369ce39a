#pragma once

#include <QJsonObject>

#include "cli_args.h"
#include "command.h"

namespace aecnn::cli {

// `aecnn codec train-dict --model SPLIT_MODEL ...`: trains a zstd dictionary on the
// model's transmitted tensors of training images and stores it with the model
// (--store: in place; --out FILE: a copy), or writes it to the positional .zdict file.
QJsonObject trainModelDictionary(const ParsedArgs& args, CommandContext& context);

} // namespace aecnn::cli
