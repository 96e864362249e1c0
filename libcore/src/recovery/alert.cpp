// SPDX-License-Identifier: MIT
#include <lfsw/alert.h>

#include <nlohmann/json.hpp>

#include "base/time_text.h"

namespace lfsw {

std::string alertToJson(const Alert& alert)
{
    nlohmann::json json{
        {"event", alert.givenUp ? "recovery_given_up" : alert.event.condition},
        {"severity", std::string(levelName(alert.severity))},
        {"subject", alert.subject},
        {"body", alert.body},
        {"condition", alert.event.condition},
        {"failure_class", alert.event.failureClass},
        {"step", alert.event.step},
        {"evidence", alert.event.evidence},
        {"raised_at", isoUtc(alert.event.raisedAt)},
        {"attempt", alert.attempt},
        {"given_up", alert.givenUp},
        {"contacts", alert.contacts},
        {"log_tail", alert.logTail},
        {"resume_command", alert.resumeCommand},
    };
    // Invalid UTF-8 in a log line is replaced, never an exception.
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace lfsw
