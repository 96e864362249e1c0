// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <lfsw/event.h>
#include <lfsw/export.h>
#include <lfsw/log_level.h>

namespace lfsw {

// A message for the people running the build, sent through every channel in
// `alerts.methods`. The host fills in the contacts (escalated from
// `alerts.contacts`), the tail of the step's log and the command to resume.
struct Alert {
    Event event;
    LogLevel severity = LogLevel::Error;
    std::string subject;               // one line
    std::string body;                  // what happened, what recovery did, what to do next
    int attempt = 0;                   // the recovery attempt it reports, 0 when none ran
    bool givenUp = false;              // recovery has given up: emergency contact added
    std::vector<std::string> contacts; // who should be told, most important first
    std::vector<std::string> logTail;  // the last lines of the step's log
    std::string resumeCommand;         // what to run once the cause is fixed
};

// The alert as one JSON object: the body webhooks receive. Keys: event,
// severity, subject, body, condition, failure_class, step, evidence (object),
// raised_at, attempt, given_up, contacts, log_tail, resume_command.
LFSW_EXPORT std::string alertToJson(const Alert& alert);

} // namespace lfsw
