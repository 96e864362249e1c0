// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <lfsw/context.h>

#include "plugin/isolation/plugin_channel.h"
#include "worker_build_control.h"

namespace lfsw::worker {

// The Context an action sees inside the worker: the event, parameters and
// directories came with the request; settings, the build and log records
// are asked of the host over the channel.
class WorkerContext final : public Context
{
public:
    WorkerContext(PluginChannel& channel, const nlohmann::json& request);

    const Event& event() const override { return event_; }
    const Params& params() const override { return params_; }
    int attempt() const override { return attempt_; }
    std::filesystem::path stateDirectory() const override { return stateDirectory_; }
    std::filesystem::path buildRoot() const override { return buildRoot_; }
    std::optional<std::string> setting(std::string_view dottedKey) const override;
    std::vector<std::string> settingList(std::string_view dottedKey) const override;
    std::map<std::string, std::string> settingMap(std::string_view dottedKey) const override;
    BuildControl& build() override { return build_; }
    void log(LogLevel level, std::string_view message) override;

private:
    nlohmann::json askSetting(std::string_view key, const char* kind) const;

    PluginChannel& channel_;
    Event event_;
    Params params_;
    int attempt_;
    std::filesystem::path stateDirectory_;
    std::filesystem::path buildRoot_;
    WorkerBuildControl build_;
};

// Sends `request` to the host and returns the value of its answer; ends the
// worker when the host is gone (nothing is left to report to).
nlohmann::json ask(PluginChannel& channel, const nlohmann::json& request);

} // namespace lfsw::worker
