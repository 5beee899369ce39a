#include "command.h"

#include "aecnn/model/model_spec.h"
#include "aecnn/datasets/dataset_spec.h"

namespace aecnn::cli {

std::vector<Command> allCommands()
{
    return {trainCommand(), evalCommand(), predictCommand(), splitsCommand(), benchModelCommand(), reproduceCommand(), aecnnTrainCommand(), importanceCommand(), latencyCommand(), edgeCommand(), codecCommand(), dumpFeaturesCommand(),
            benchCodecCommand(), sweepCommand(), exportCommand(), baselineInputCommand(), packModelCommand()};
}

OptionSpec modelOption()
{
    return {"model", "M", "model: " + modelSpecHelp(), "default"};
}

OptionSpec datasetOption(const std::string& defaultSpec)
{
    return {"dataset", "SPEC", "data: " + datasets::datasetSpecHelp(), defaultSpec};
}

} // namespace aecnn::cli
