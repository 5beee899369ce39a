#pragma once

#include <vector>

#include <QJsonObject>

#include "aecnn/model/image_set.h"
#include "aecnn/split/inference_model.h"
#include "aecnn/split/split_transport.h"
#include "cli_args.h"
#include "command.h"

namespace aecnn::cli {

// The codec options of `aecnn eval`: with --codec, every image's transmitted tensor
// goes through SplitTransport (device encode -> frame -> edge decode), exactly as
// the live agent/edge path does. --codec and --bits take lists: every combination
// is evaluated in one pass over the data.
std::vector<OptionSpec> evalCodecOptions();
bool wantsCodecEval(const ParsedArgs& args);
// Validates the codec options (UsageError) before anything slow is loaded; empty without --codec.
std::vector<TransportSettings> transportSettingsFromArgs(const ParsedArgs& args);
// Evaluates a split model (kind "aecnn") through the transports; adds the codec fields to
// `result` ("results": one object per setting; with one setting also at the top level).
// The zstd coders use the dictionary stored with the model unless --no-dict.
// `calibration` (non-empty: --calibrate N): settings with framing "session" and repr "uint" get
// quantization ranges fixed for the session, calibrated on these images (calibrateTransportRanges),
// and with --context-priors those with coder "context" also context priors (calibrateContextPriors).
// `batchSize`: images per forward pass, at most (fewer when memory is short).
void evaluateWithCodec(const std::string& modelSpec, const InferenceModel& model,
                       std::vector<TransportSettings> settings, bool useStoredDictionary, const ImageSet& images,
                       QJsonObject& result, CommandContext& context, const ImageSet* calibration = nullptr,
                       bool contextPriors = false, int batchSize = 128);
// --calibrate N of eval and edge: 0 = none; UsageError unless the settings use framing session and repr
// uint, or when --context-priors comes without it or without coder context.
int calibrationImages(const ParsedArgs& args, const TransportSettings& settings);
// The --context-priors option (eval and edge).
OptionSpec contextPriorsOption();

// What the edge calibrates for a session (sent to the device in the session layout).
struct SessionCalibration {
    std::vector<codec::QuantRange> fixedRanges;
    codec::ContextPriors contextPriors; // empty unless asked for
};
// For the split model at `modelSpec`, on the first `count` training images of `dataSpec`.
SessionCalibration calibrateSession(const std::string& modelSpec, const TransportSettings& settings,
                                    const std::string& dataSpec, int count, bool contextPriors);

} // namespace aecnn::cli
