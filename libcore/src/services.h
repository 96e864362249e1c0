// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

namespace lfsw {

class AlertDispatcher;
class BackupService;
class BuildJournal;
class Config;
class PluginRegistry;
class RecoveryEngine;
class RemoteBuildControl;
class StateDatabase;

// The objects that work on one state directory, wired here in one order for
// every program that needs them: the host's commands (Session), the daemon
// (one per config it runs with) and embedders (Workspace). The state
// database is opened at once, creating it when missing; alerts, the engine
// and the backups are made on first use, and only then are the plugins asked
// for, so that a command that reads the state loads none.
class Services
{
public:
    using PluginSource = std::function<const PluginRegistry&()>;

    Services(const Config& config, PluginSource plugins, std::filesystem::path stateDirectory);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    const Config& config() const { return config_; }
    const std::filesystem::path& stateDirectory() const { return stateDirectory_; }
    const PluginRegistry& plugins() const { return plugins_(); }

    StateDatabase& database() { return *database_; }
    BuildJournal& journal() { return *journal_; }
    // BuildControl for a process that is not the supervisor.
    RemoteBuildControl& remoteControl() { return *remoteControl_; }
    AlertDispatcher& alerts();
    RecoveryEngine& engine();
    BackupService& backups();

private:
    const Config& config_;
    PluginSource plugins_;
    std::filesystem::path stateDirectory_;
    std::unique_ptr<StateDatabase> database_;
    std::unique_ptr<BuildJournal> journal_;
    std::unique_ptr<RemoteBuildControl> remoteControl_;
    std::unique_ptr<AlertDispatcher> alerts_;
    std::unique_ptr<RecoveryEngine> engine_;
    std::unique_ptr<BackupService> backups_;
};

} // namespace lfsw
