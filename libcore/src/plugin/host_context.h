// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/context.h>

#include "state/logging.h"

namespace lfsw {

class Config;

// The Context the host gives actions and alert channels: the event, the
// entry's parameters, the config, and a logger on the channel
// "action.<name>" (or "alert.<name>").
class HostContext final : public Context
{
public:
    HostContext(const Config& config, const Event& event, Params params, int attempt,
                std::filesystem::path stateDirectory, BuildControl& build,
                const std::string& channel);

    const Event& event() const override { return event_; }
    const Params& params() const override { return params_; }
    int attempt() const override { return attempt_; }
    std::filesystem::path stateDirectory() const override { return stateDirectory_; }
    std::filesystem::path buildRoot() const override;
    std::optional<std::string> setting(std::string_view dottedKey) const override;
    std::vector<std::string> settingList(std::string_view dottedKey) const override;
    std::map<std::string, std::string> settingMap(std::string_view dottedKey) const override;
    BuildControl& build() override { return build_; }
    void log(LogLevel level, std::string_view message) override;

private:
    const Config& config_;
    const Event& event_;
    Params params_;
    int attempt_;
    std::filesystem::path stateDirectory_;
    BuildControl& build_;
    Logger logger_;
};

} // namespace lfsw
