// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace lfsw {

// Something that can be true of a build, such as "build_failure". A Condition
// declares the name that `recovery_actions`, `auto_recovery.conditions` and
// `alerts.triggers` may use, and the failure classes that narrow it (a chain
// key "build_failure:fetch_error" needs "fetch_error" here). Subsystems raise
// it as an Event.
class Condition
{
public:
    virtual ~Condition() = default;

    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    virtual std::vector<std::string> failureClasses() const { return {}; }
};

} // namespace lfsw
