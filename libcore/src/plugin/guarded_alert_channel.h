// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/alert_channel.h>

#include "plugin/plugin_guard.h"

namespace lfsw {

// An alert channel from a plugin, kept loaded and exception-safe like
// GuardedAction.
class GuardedAlertChannel final : public AlertChannel, private PluginGuard<AlertChannel>
{
public:
    GuardedAlertChannel(std::shared_ptr<boost::dll::shared_library> library,
                        std::shared_ptr<AlertChannel> inner, std::string plugin);

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    Result send(const Alert& alert, Context& context) override;

private:
    std::string name_;
    std::string description_;
};

} // namespace lfsw
