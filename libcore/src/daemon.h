// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/expected.h"
#include "base/pid_lock.h"
#include "state/logging.h"

namespace lfsw {

class Config;
class PluginRegistry;
class Services;

// Work the daemon runs when it is due (scheduled backups, say). `due`
// returns the next time it should run after `last` (nothing: never);
// `run` does it.
struct DaemonJob {
    std::string name;
    std::function<std::optional<std::chrono::system_clock::time_point>(
        const Config& config, std::chrono::system_clock::time_point last)>
        due;
    // The services of the config the daemon runs with (reloaded on SIGHUP).
    std::function<void(Services& services)> run;
};

// `lfs-wrapper daemon`: in the foreground, one per state directory, it
// samples resources at `monitoring.interval`, runs the recovery chain (or
// sends an alert) when a threshold is crossed outside a build — a running
// supervisor watches its own build —, delivers alerts left pending, and runs
// its jobs when due. SIGHUP reloads the config (an invalid one is refused
// with its problems and the old one kept); SIGTERM and SIGINT end it.
class Daemon
{
public:
    static constexpr const char* kLockFileName = "daemon.lock";
    // Reads the config afresh (SIGHUP); its problems are in problems().
    using ConfigLoader = std::function<Config()>;

    Daemon(ConfigLoader load, const PluginRegistry& registry, std::filesystem::path stateDirectory);
    ~Daemon();

    // One daemon per state directory: the error is the running one's PID.
    Expected<void> lock();
    void addJob(DaemonJob job);
    // Runs until SIGTERM or SIGINT; returns the exit status (0).
    int run();

    // The problems that make a config unusable: structure and names.
    static std::vector<Diagnostic> problemsOf(const Config& config, const PluginRegistry& registry);

private:
    struct Running;
    std::unique_ptr<Running> start(Config config);
    void tick(Running& running);
    void runJobs(Running& running);

    ConfigLoader load_;
    const PluginRegistry& registry_;
    std::filesystem::path stateDirectory_;
    Logger logger_;
    PidLock lock_;
    std::vector<DaemonJob> jobs_;
};

} // namespace lfsw
