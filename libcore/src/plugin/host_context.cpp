// SPDX-License-Identifier: MIT
#include "plugin/host_context.h"

#include "config/config.h"

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
    return config_.setting(std::string(dottedKey));
}

std::vector<std::string> HostContext::settingList(std::string_view dottedKey) const
{
    return config_.settingList(std::string(dottedKey));
}

std::map<std::string, std::string> HostContext::settingMap(std::string_view dottedKey) const
{
    return config_.settingMap(std::string(dottedKey));
}

void HostContext::log(LogLevel level, std::string_view message)
{
    BOOST_LOG_SEV(logger_, level) << message;
}

} // namespace lfsw
