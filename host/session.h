// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "backup_service.h"
#include "build/build_journal.h"
#include "build/remote_build_control.h"
#include "config/config.h"
#include "plugin/plugin_registry.h"
#include "recovery/recovery_engine.h"
#include "services.h"
#include "state/logging.h"
#include "state/state_database.h"

namespace lfsw::host {

// What the global options said.
struct GlobalOptions {
    std::optional<std::filesystem::path> configFile;
    std::optional<std::filesystem::path> stateDirectory;
    int verbosity = 0; // -v: debug, -vv: trace
    bool quiet = false;
    bool colour = false;
};

// The objects one command works with, created when first needed: config,
// logging, plugins, then the state directory's Services (database, engine,
// backups), wired as the daemon and Workspace wire them.
class Session
{
public:
    explicit Session(GlobalOptions options);

    // Finds and reads the config (--config, $LFSW_CONFIG, ./lfs-wrapper.yaml,
    // SYSCONFDIR/lfs-wrapper/lfs-wrapper.yaml as installed, /etc/lfs-wrapper/,
    // else the built-in defaults; set-uid, only --config and the system files).
    const Config& config();
    // Reads the same config file again (the daemon's SIGHUP).
    Config reloadConfig();
    // The config's structural problems plus, when `resolveNames`, the names
    // no loaded plugin provides: every problem, in file order.
    std::vector<Diagnostic> configProblems(bool resolveNames);

    const PluginRegistry& plugins();
    std::filesystem::path stateDirectory();
    bool stateDirectoryExists();
    // Creates the state directory (mode 0700) when missing.
    void createStateDirectory();
    // Opens the state database, creating the directory and file if needed.
    StateDatabase& database();
    RecoveryEngine& engine();
    BuildJournal& journal();
    // BuildControl for commands that are not the supervisor.
    RemoteBuildControl& remoteControl();
    // The state directory's objects, creating the directory when missing.
    Services& services();
    // The backups, local or through the plugin backup.backend names; the
    // state directory is created only when an operation needs it.
    BackupService& backups();
    // Whether a supervisor is running a build of this state directory
    // (never creates the state directory to find out).
    bool buildRunning();

    // For commands that draw their own progress (the supervisor): only
    // warnings and errors of the log reach the console, unless -v was given.
    void keepConsoleForProgress();

    // Where the config came from, for messages.
    std::string configSourceDescription();
    // Where the config was found, or every place it was looked for: for a
    // command run from a directory that is not the build's.
    std::string configSearchDescription();
    bool colour() const { return options_.colour; }
    const GlobalOptions& globalOptions() const { return options_; }

private:
    void attachLogFile();

    GlobalOptions options_;
    Logging logging_;
    Logger logger_;
    std::optional<Config> config_;
    std::unique_ptr<PluginRegistry> plugins_;
    std::unique_ptr<Services> services_;
    std::unique_ptr<BackupService> backups_;
    bool logFileAttached_ = false;
};

} // namespace lfsw::host
