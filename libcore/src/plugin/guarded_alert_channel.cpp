// SPDX-License-Identifier: MIT
#include "plugin/guarded_alert_channel.h"

namespace lfsw {

GuardedAlertChannel::GuardedAlertChannel(std::shared_ptr<boost::dll::shared_library> library,
                                         std::shared_ptr<AlertChannel> inner, std::string plugin)
    : PluginGuard(std::move(library), std::move(inner), std::move(plugin)), name_(inner_->name()),
      description_(inner_->description())
{
}

Result GuardedAlertChannel::send(const Alert& alert, Context& context)
{
    return guardedCall([&] { return inner_->send(alert, context); },
                       [&](const std::string& why) {
                           return Result::failed("alert channel " + name_ + " (plugin " + plugin_ +
                                                 ") threw: " + why);
                       });
}

} // namespace lfsw
