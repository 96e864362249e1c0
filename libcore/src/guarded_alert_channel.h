// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <boost/dll/shared_library.hpp>

#include <lfsw/alert_channel.h>

namespace lfsw {

// An alert channel from a plugin, kept loaded and exception-safe like
// GuardedAction.
class GuardedAlertChannel final : public AlertChannel
{
public:
    GuardedAlertChannel(std::shared_ptr<boost::dll::shared_library> library,
                        std::shared_ptr<AlertChannel> inner, std::string plugin);
    ~GuardedAlertChannel() override;

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    Result send(const Alert& alert, Context& context) override;

private:
    std::shared_ptr<boost::dll::shared_library> library_;
    std::shared_ptr<AlertChannel> inner_;
    std::string plugin_;
    std::string name_;
    std::string description_;
};

} // namespace lfsw
