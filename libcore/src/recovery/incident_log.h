// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <lfsw/event.h>

namespace lfsw {

class StateDatabase;

struct IncidentAction {
    int position = 0;
    std::string action;
    std::string params;
    std::string startedAt;
    std::string endedAt; // empty: not ended (the process died mid-action)
    std::string result;
    std::string message;
};

struct IncidentAttempt {
    std::int64_t id = 0;
    std::string chain;
    int attempt = 0;
    std::string startedAt;
    std::string endedAt;
    std::string outcome; // recovered, unchanged, failed, stopped, running
    std::string message;
    std::vector<IncidentAction> actions;
};

// One incident: everything recovery did about one condition in one build
// step (or outside steps), from its first attempt until the step succeeds,
// recovery gives up, or the user resets the attempts.
struct Incident {
    std::int64_t id = 0;
    std::string condition;
    std::string failureClass;
    std::string step;
    std::int64_t runId = 0; // the build run it happened in; 0 outside builds
    std::map<std::string, std::string> evidence;
    std::string source; // automatic, manual, checklist
    std::string openedAt;
    std::string closedAt; // empty while open
    std::string outcome;  // open, recovered, unchanged, failed, stopped, given_up, reset
    std::string message;
    std::vector<IncidentAttempt> attempts;

    bool open() const { return closedAt.empty(); }
    // From the first attempt to the close, for an incident that ended recovered.
    std::optional<std::chrono::seconds> timeToRecover() const;
};

// The incidents of the state database (table incident; recovery_attempt
// rows point at theirs). The recovery engine opens, updates and closes
// them; `recovery report` and `recovery history` read them.
class IncidentLog
{
public:
    explicit IncidentLog(StateDatabase& database);

    // The open incident of (event.condition, event.step), or a new one.
    // Call inside the transaction that claims the attempt.
    std::int64_t open(const Event& event, const std::string& source);
    // Records how the latest attempt ended; `close` ends the incident too.
    void update(std::int64_t id, const std::string& outcome, const std::string& message,
                bool close);
    // Closes the open incidents of `step` (of `condition`, or of every
    // condition when it is empty) with `outcome`.
    void closeOpen(const std::string& condition, const std::string& step,
                   const std::string& outcome, const std::string& message);

    std::optional<Incident> find(std::int64_t id);
    std::optional<Incident> latest();
    // Newest first, with their attempts and actions.
    std::vector<Incident> list(int limit);

private:
    void loadAttempts(Incident& incident);

    StateDatabase& database_;
};

} // namespace lfsw
