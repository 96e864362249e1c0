// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <lfsw/alert.h>
#include <lfsw/context.h>
#include <lfsw/result.h>

namespace lfsw {

// A way to reach people: `alerts.methods` names channels ("log", "email",
// "webhook", "irc", "matrix", or a site's own). Channel settings are read through
// Context::setting(), e.g. "alerts.webhook.url".
class AlertChannel
{
public:
    virtual ~AlertChannel() = default;

    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    virtual Result send(const Alert& alert, Context& context) = 0;
};

} // namespace lfsw
