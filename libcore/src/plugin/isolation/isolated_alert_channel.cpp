// SPDX-License-Identifier: MIT
#include "plugin/isolation/isolated_alert_channel.h"

#include "plugin/isolation/plugin_protocol.h"

namespace lfsw {

IsolatedAlertChannel::IsolatedAlertChannel(std::shared_ptr<PluginWorker> worker, std::string plugin,
                                           std::string name, std::string description)
    : worker_(std::move(worker)), plugin_(std::move(plugin)), name_(std::move(name)),
      description_(std::move(description))
{
}

Result IsolatedAlertChannel::send(const Alert& alert, Context& context)
{
    const nlohmann::json request = {
        {"op", protocol::op::kSend},
        {"channel", name_},
        {"alert", protocol::toJson(alert)},
        {"state_directory", context.stateDirectory().string()},
        {"build_root", context.buildRoot().string()},
    };
    return worker_->callForResult(request, worker_->settings().sendTimeout, context,
                                  "alert channel " + name_ + " (plugin " + plugin_ + ", isolated)");
}

} // namespace lfsw
