// SPDX-License-Identifier: MIT
#include "plugin/plugin_registry.h"

#include <stdexcept>

namespace lfsw {

namespace {

template <typename Map> std::vector<std::string> keysOf(const Map& map)
{
    std::vector<std::string> keys;
    for (const auto& [key, value] : map)
        keys.push_back(key);
    return keys;
}

} // namespace

std::shared_ptr<Action> PluginRegistry::action(const std::string& name) const
{
    auto it = actions_.find(name);
    return it == actions_.end() ? nullptr : it->second;
}

std::shared_ptr<AlertChannel> PluginRegistry::alertChannel(const std::string& name) const
{
    auto it = alertChannels_.find(name);
    return it == alertChannels_.end() ? nullptr : it->second;
}

const ConditionInfo* PluginRegistry::condition(const std::string& name) const
{
    auto it = conditions_.find(name);
    return it == conditions_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginRegistry::actionNames() const
{
    return keysOf(actions_);
}
std::vector<std::string> PluginRegistry::alertChannelNames() const
{
    return keysOf(alertChannels_);
}
std::vector<std::string> PluginRegistry::conditionNames() const
{
    return keysOf(conditions_);
}

std::vector<std::string> PluginRegistry::failureClasses(const std::string& name) const
{
    const ConditionInfo* info = condition(name);
    return info ? info->failureClasses : std::vector<std::string>{};
}

void PluginRegistry::claim(const std::string& kind, const std::string& name,
                           const std::string& plugin)
{
    auto [it, added] = providers_.emplace(kind + ":" + name, plugin);
    if (!added)
        throw std::logic_error(kind + " '" + name + "' of plugin '" + plugin +
                               "' is already provided by plugin '" + it->second + "'");
}

std::string PluginRegistry::providerOf(const std::string& kind, const std::string& name) const
{
    auto it = providers_.find(kind + ":" + name);
    return it == providers_.end() ? std::string() : it->second;
}

void PluginRegistry::addAction(std::shared_ptr<Action> action, const std::string& plugin)
{
    claim("action", action->name(), plugin);
    actions_[action->name()] = std::move(action);
}

void PluginRegistry::addAlertChannel(std::shared_ptr<AlertChannel> channel,
                                     const std::string& plugin)
{
    claim("alert channel", channel->name(), plugin);
    alertChannels_[channel->name()] = std::move(channel);
}

std::shared_ptr<BackupBackend> PluginRegistry::backupBackend(const std::string& name) const
{
    auto it = backupBackends_.find(name);
    return it == backupBackends_.end() ? nullptr : it->second;
}

void PluginRegistry::addBackupBackend(std::shared_ptr<BackupBackend> backend,
                                      const std::string& plugin)
{
    claim("backup backend", backend->name(), plugin);
    backupBackends_[backend->name()] = std::move(backend);
}

void PluginRegistry::addCondition(ConditionInfo condition)
{
    claim("condition", condition.name, condition.plugin);
    conditions_[condition.name] = std::move(condition);
}

} // namespace lfsw
