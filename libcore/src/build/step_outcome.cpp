// SPDX-License-Identifier: MIT
#include "build/step_outcome.h"

namespace lfsw {

StepRecord stepRecordFor(const CommandOutcome& outcome, const StepEndingFacts& facts)
{
    StepRecord result;
    result.position = facts.position;
    result.name = facts.name;
    if (!outcome.started) {
        result.state = "failed";
        result.condition = "build_failure";
        result.failureClass = "unknown";
        result.message = outcome.summary();
        return result;
    }
    if (outcome.signal)
        result.signal = outcome.signal;
    else
        result.exitStatus = outcome.exitStatus;
    if (outcome.stopped && facts.monitorEvent && !facts.stopForced) {
        result.state = "failed";
        result.condition = facts.monitorEvent->condition;
        result.failureClass = facts.monitorEvent->failureClass;
        const auto summary = facts.monitorEvent->evidence.find("summary");
        result.message =
            "stopped by the monitor: " +
            (summary == facts.monitorEvent->evidence.end() ? std::string() : summary->second);
        return result;
    }
    if (outcome.stopped) {
        result.state = "stopped";
        result.message = facts.stopCause.empty() ? "stopped" : facts.stopCause;
        return result;
    }
    if (outcome.succeeded()) {
        result.state = "done";
        result.message = outcome.summary();
        return result;
    }
    StepEnding ending;
    ending.exitStatus = outcome.exitStatus;
    ending.signal = outcome.signal;
    ending.timedOut = outcome.timedOut;
    const auto classification = facts.classify(ending);
    result.state = "failed";
    result.condition = classification.condition;
    result.failureClass = classification.failureClass;
    result.message = outcome.summary() + ": " + classification.summary;
    if (!classification.evidence.empty()) {
        const auto& first = classification.evidence.front();
        // Line 0: evidence from outside the log (the kernel, the cgroup).
        result.message +=
            " (" +
            (first.line > 0 ? "log line " + std::to_string(first.line) + ": " : std::string()) +
            first.text.substr(0, 200) + ")";
    }
    return result;
}

} // namespace lfsw
