#include "modes.h"

#include <functional>
#include <map>

#include "aecnn/error.h"

namespace aecnn::agent {
namespace {

using Factory = std::function<std::unique_ptr<Mode>(const StreamSettings&, std::shared_ptr<const DeployedModel>)>;

const std::map<std::string, Factory>& registry()
{
    static const std::map<std::string, Factory> modes{
        {"full", [](const StreamSettings& s, std::shared_ptr<const DeployedModel>) { return makeFullOffloadingMode(s); }},
        {"local",
         [](const StreamSettings&, std::shared_ptr<const DeployedModel> model) {
             if (!model)
                 throw Error("mode 'local' needs a model: deploy one first");
             return makeLocalComputingMode(std::move(model));
         }},
        {"aecnn", makeAecnnMode},
        {"bottlenetpp", makeBottleNetMode},
    };
    return modes;
}

} // namespace

std::unique_ptr<Mode> makeMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model)
{
    const auto it = registry().find(settings.mode);
    if (it == registry().end())
        throw Error("mode '" + settings.mode + "' is not available in this agent; available: " + availableModesText());
    return it->second(settings, std::move(model));
}

bool isModeAvailable(const std::string& name)
{
    return registry().count(name) > 0;
}

std::string availableModesText()
{
    std::string list;
    for (const auto& [name, factory] : registry())
        list += (list.empty() ? "" : ", ") + name;
    return list;
}

} // namespace aecnn::agent
