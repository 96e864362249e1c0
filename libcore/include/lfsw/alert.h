// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include <lfsw/event.h>
#include <lfsw/log_level.h>

namespace lfsw {

// A message for the people running the build, sent through every channel in
// `alerts.methods`.
struct Alert {
    Event event;
    LogLevel severity = LogLevel::Error;
    std::string subject; // one line
    std::string body;    // what happened, what recovery did, what to do next
};

} // namespace lfsw
