// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace lfsw {

// A condition that became true, with its evidence. `condition` is the name a
// Condition plugin registered ("build_failure"); `failureClass` narrows it
// ("fetch_error") and selects a `recovery_actions` key such as
// "build_failure:fetch_error" when the config has one. `step` is the build
// step the event belongs to, empty outside a build: attempt counters are kept
// per (condition, step).
struct Event {
    std::string condition;
    std::string failureClass;
    std::string step;
    std::map<std::string, std::string> evidence;
    std::chrono::system_clock::time_point raisedAt = std::chrono::system_clock::now();
};

} // namespace lfsw
