// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include <lfsw/context.h>

#include "base/expected.h"
#include "plugin/isolation/plugin_channel.h"

namespace lfsw {

// How plugin workers run (config `plugins.*`).
struct WorkerSettings {
    std::filesystem::path program;      // lfs-wrapper-plugin-worker
    std::uint64_t memoryLimitBytes = 0; // RLIMIT_AS of the worker; 0: none
    std::chrono::milliseconds actionTimeout{std::chrono::minutes(30)};
    std::chrono::milliseconds queryTimeout{std::chrono::seconds(10)}; // load, validate, describe
    std::chrono::milliseconds sendTimeout{std::chrono::minutes(2)};   // one alert delivery try
};

// The host's side of one plugin's worker process (`lfs-wrapper-plugin-worker`,
// started on first use with the plugin file): sends a request, serves what
// the plugin asks of its Context while it works (settings, the build, log
// records), and returns the worker's reply. A worker that dies (a crash, an
// abort, a call to exit) is reaped and described, and every later call fails
// at once with that description; a worker that does not answer in time is
// killed, and the next call starts a new one.
class PluginWorker
{
public:
    struct Reply {
        bool ok = false;
        nlohmann::json message; // the worker's reply when ok
        std::string failure;    // why not, naming the worker's end when it died
        bool died = false;      // the worker ended on its own (a crash, not a timeout)
    };
    // Called once, outside any lock, when the worker died: `what` says how.
    using CrashHandler = std::function<void(const std::string& what)>;

    PluginWorker(std::filesystem::path pluginFile, WorkerSettings settings);
    ~PluginWorker();
    PluginWorker(const PluginWorker&) = delete;
    PluginWorker& operator=(const PluginWorker&) = delete;

    void onCrash(CrashHandler handler) { crashHandler_ = std::move(handler); }
    // Never starts: every call fails with `why` (a plugin skipped after a
    // crash).
    void markDead(std::string why) { death_ = std::move(why); }
    // Whether the worker died or was marked dead: calls fail at once.
    bool dead();

    // Starts the worker (loading the plugin) when it is not running, then
    // sends `request`; `context` answers the plugin's questions during a run.
    Reply call(const nlohmann::json& request, std::chrono::milliseconds timeout, Context* context);
    // call() for a request the worker answers with a Result ("result"): a
    // failed call is a failed Result, `who` ("action X (plugin P, isolated)")
    // saying whose. `reply` gets the whole reply when given.
    Result callForResult(const nlohmann::json& request, std::chrono::milliseconds timeout,
                         Context& context, const std::string& who, nlohmann::json* reply = nullptr);
    // What the worker said when it loaded the plugin (its descriptor, actions
    // and conditions), or a reply with the failure.
    Reply load();

    const std::filesystem::path& pluginFile() const { return pluginFile_; }
    const WorkerSettings& settings() const { return settings_; }

private:
    Expected<void> start();
    Reply exchange(const nlohmann::json& request, std::chrono::milliseconds timeout,
                   Context* context);
    void serve(const nlohmann::json& request, Context* context);
    // Ends the worker (SIGKILL when `kill`) and says how it ended.
    std::string reap(bool kill);

    std::filesystem::path pluginFile_;
    WorkerSettings settings_;
    CrashHandler crashHandler_;
    std::mutex mutex_;
    int pid_ = -1;
    std::unique_ptr<PluginChannel> channel_;
    nlohmann::json loaded_;
    std::string death_; // set once the worker died on its own
};

} // namespace lfsw
