#pragma once

#include <vector>

#include <QJsonObject>

#include "aecnn/image_set.h"
#include "aecnn/inference_model.h"
#include "aecnn/split_transport.h"
#include "cli_args.h"
#include "command.h"

namespace aecnn::cli {

// The codec options of `aecnn eval`: with --codec, every image's transmitted tensor
// goes through SplitTransport (device encode -> frame -> edge decode), exactly as
// the live agent/edge path does.
std::vector<OptionSpec> evalCodecOptions();
bool wantsCodecEval(const ParsedArgs& args);
// Validates the codec options (UsageError) before anything slow is loaded.
TransportSettings transportSettingsFromArgs(const ParsedArgs& args);
// Evaluates a split model (kind "aecnn") through the transport; adds the codec fields to `result`.
void evaluateWithCodec(const InferenceModel& model, const TransportSettings& settings, const ImageSet& images,
                       QJsonObject& result, CommandContext& context);

} // namespace aecnn::cli
