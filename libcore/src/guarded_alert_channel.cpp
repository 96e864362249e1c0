// SPDX-License-Identifier: MIT
#include "guarded_alert_channel.h"

#include <exception>

namespace lfsw {

GuardedAlertChannel::GuardedAlertChannel(std::shared_ptr<boost::dll::shared_library> library,
                                         std::shared_ptr<AlertChannel> inner, std::string plugin)
    : library_(std::move(library)), inner_(std::move(inner)), plugin_(std::move(plugin)),
      name_(inner_->name()), description_(inner_->description())
{
}

GuardedAlertChannel::~GuardedAlertChannel()
{
    inner_.reset();
}

Result GuardedAlertChannel::send(const Alert& alert, Context& context)
{
    try {
        return inner_->send(alert, context);
    } catch (const std::exception& e) {
        return Result::failed("alert channel " + name_ + " (plugin " + plugin_ +
                              ") threw: " + e.what());
    } catch (...) {
        return Result::failed("alert channel " + name_ + " (plugin " + plugin_ +
                              ") threw an exception that is not a std::exception");
    }
}

} // namespace lfsw
