// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <lfsw/action.h>
#include <lfsw/alert_channel.h>
#include <lfsw/backup_backend.h>
#include <lfsw/condition.h>

namespace lfsw {

// What `plugins list` shows about one loaded plugin.
struct PluginInfo {
    std::string name;
    std::string version;
    std::string description;
    std::string file;
    std::uint32_t abi = 0;
    bool isolated = false; // runs in a worker process
    std::vector<std::string> actions;
    std::vector<std::string> conditions;
    std::vector<std::string> alertChannels;
    std::vector<std::string> backupBackends;
};

// A condition as registered: its name, description and failure classes, read
// once at registration.
struct ConditionInfo {
    std::string name;
    std::string description;
    std::vector<std::string> failureClasses;
    std::string plugin;
};

// Everything the loaded plugins provide, by name. Objects handed out keep
// their plugin's library loaded, and their calls never let an exception out.
class PluginRegistry
{
public:
    std::shared_ptr<Action> action(const std::string& name) const;
    std::shared_ptr<AlertChannel> alertChannel(const std::string& name) const;
    std::shared_ptr<BackupBackend> backupBackend(const std::string& name) const;
    const ConditionInfo* condition(const std::string& name) const;

    std::vector<std::string> actionNames() const;
    std::vector<std::string> alertChannelNames() const;
    std::vector<std::string> conditionNames() const;
    std::vector<std::string> failureClasses(const std::string& condition) const;
    // The plugin that provides a name of a kind ("action", "alert channel",
    // "condition"), or "" when none does.
    std::string providerOf(const std::string& kind, const std::string& name) const;

    const std::vector<PluginInfo>& plugins() const { return plugins_; }
    // One line per plugin file that was refused, naming the file.
    const std::vector<std::string>& refusals() const { return refusals_; }

    // `library` keeps the plugin's shared object loaded for the registry's life.
    void addPlugin(PluginInfo info, std::shared_ptr<void> library)
    {
        plugins_.push_back(std::move(info));
        libraries_.push_back(std::move(library));
    }
    void addRefusal(std::string message) { refusals_.push_back(std::move(message)); }
    // Loaded, but not all of it: an isolated plugin's channels, a plugin
    // skipped after a crash.
    const std::vector<std::string>& warnings() const { return warnings_; }
    void addWarning(std::string message) { warnings_.push_back(std::move(message)); }
    // A name is provided once per kind: a second one throws std::logic_error
    // (the loader refuses such a plugin before it gets here).
    void addAction(std::shared_ptr<Action> action, const std::string& plugin);
    void addAlertChannel(std::shared_ptr<AlertChannel> channel, const std::string& plugin);
    void addCondition(ConditionInfo condition);
    void addBackupBackend(std::shared_ptr<BackupBackend> backend, const std::string& plugin);

private:
    void claim(const std::string& kind, const std::string& name, const std::string& plugin);

    std::map<std::string, std::shared_ptr<Action>> actions_;
    std::map<std::string, std::shared_ptr<AlertChannel>> alertChannels_;
    std::map<std::string, ConditionInfo> conditions_;
    std::map<std::string, std::shared_ptr<BackupBackend>> backupBackends_;
    std::map<std::string, std::string> providers_;
    std::vector<PluginInfo> plugins_;
    std::vector<std::string> refusals_;
    std::vector<std::string> warnings_;
    std::vector<std::shared_ptr<void>> libraries_;
};

} // namespace lfsw
