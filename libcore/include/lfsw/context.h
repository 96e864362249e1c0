// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lfsw/build_control.h>
#include <lfsw/event.h>
#include <lfsw/log_level.h>
#include <lfsw/params.h>

namespace lfsw {

// What an action or alert channel may see and use while it runs. The host
// provides it; the SDK's test harness provides one too, so a plugin can be
// unit-tested without the host.
class Context
{
public:
    virtual ~Context() = default;

    // The event that started the chain.
    virtual const Event& event() const = 0;
    // This action's parameters from the chain entry (empty for a bare name).
    virtual const Params& params() const = 0;
    // Which recovery attempt of (event().condition, event().step) this is, from 1.
    virtual int attempt() const = 0;
    // The state directory: plugins keep their own files under
    // stateDirectory() / "plugins" / <plugin name>.
    virtual std::filesystem::path stateDirectory() const = 0;
    // The configured build root (`build.root`, LFS's $LFS).
    virtual std::filesystem::path buildRoot() const = 0;
    // The effective value of a config key as text ("alerts.webhook.url"), or
    // nothing when the key is not a scalar. Path keys come resolved against
    // the config file's directory.
    virtual std::optional<std::string> setting(std::string_view dottedKey) const = 0;
    // The items of a list key ("alerts.email.to"); empty when it is not a list.
    virtual std::vector<std::string> settingList(std::string_view dottedKey) const = 0;
    // The entries of a map of scalars ("alerts.webhook.headers"); empty when
    // it is not one.
    virtual std::map<std::string, std::string> settingMap(std::string_view dottedKey) const = 0;
    // The build being recovered, and what an action may do to it.
    virtual BuildControl& build() = 0;
    // Logs on the plugin's own channel; records reach the console and the log
    // file like the host's.
    virtual void log(LogLevel level, std::string_view message) = 0;
};

} // namespace lfsw
