// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <lfsw/alert_channel.h>

#include "plugin/isolation/plugin_worker.h"

namespace lfsw {

// An alert channel of a plugin that runs in a worker process: each send()
// goes to the worker with the alert, and the channel's Context calls
// (settings, log records) come back to the host. A crash or hang of the
// plugin fails the delivery try (the courier retries or gives up as for any
// failed try) and leaves the host running.
class IsolatedAlertChannel final : public AlertChannel
{
public:
    IsolatedAlertChannel(std::shared_ptr<PluginWorker> worker, std::string plugin, std::string name,
                         std::string description);

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    Result send(const Alert& alert, Context& context) override;

private:
    std::shared_ptr<PluginWorker> worker_;
    std::string plugin_;
    std::string name_;
    std::string description_;
};

} // namespace lfsw
