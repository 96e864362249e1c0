// SPDX-License-Identifier: MIT
#include "host_context.h"

#include "config.h"
#include "config_schema.h"

namespace lfsw {

HostContext::HostContext(const Config& config, const Event& event, Params params, int attempt,
                         std::filesystem::path stateDirectory, BuildControl& build,
                         const std::string& channel)
    : config_(config), event_(event), params_(std::move(params)), attempt_(attempt),
      stateDirectory_(std::move(stateDirectory)), build_(build), logger_(makeLogger(channel))
{
}

std::filesystem::path HostContext::buildRoot() const
{
    return config_.buildRoot();
}

std::optional<std::string> HostContext::setting(std::string_view dottedKey) const
{
    auto value = config_.scalar(std::string(dottedKey));
    // Paths are relative to the config file, as everywhere else.
    const auto* schema = ConfigSchema::find(std::string(dottedKey));
    if (value && !value->empty() && schema && schema->type == ValueType::Path)
        return config_.resolvePath(*value).string();
    return value;
}

std::vector<std::string> HostContext::settingList(std::string_view dottedKey) const
{
    auto node = config_.node(std::string(dottedKey));
    if (!node || !node->IsSequence())
        return {};
    return config_.list(std::string(dottedKey));
}

std::map<std::string, std::string> HostContext::settingMap(std::string_view dottedKey) const
{
    std::map<std::string, std::string> entries;
    auto node = config_.node(std::string(dottedKey));
    if (!node || !node->IsMap())
        return entries;
    for (const auto& entry : *node)
        if (entry.second.IsScalar())
            entries[entry.first.as<std::string>()] = entry.second.as<std::string>();
    return entries;
}

void HostContext::log(LogLevel level, std::string_view message)
{
    BOOST_LOG_SEV(logger_, level) << message;
}

} // namespace lfsw
