// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <lfsw/command_runner.h>
#include <lfsw/event.h>

#include "build/build_journal.h"
#include "build/failure_classifier.h"

namespace lfsw {

// What the supervisor knows about how a step's command ended, besides the
// command's outcome.
struct StepEndingFacts {
    int position = 0;
    std::string name;
    // The resource event that made the monitor stop the step, if it did.
    std::optional<Event> monitorEvent;
    bool stopForced = false; // build stop --force, not the monitor
    std::string stopCause;   // "stopped by SIGINT (Ctrl-C)", or empty
    // Classifies a failure from the log and the kernel's and cgroup's
    // evidence: called only for a command that failed on its own (required).
    std::function<Classification(const StepEnding&)> classify;
};

// The step's record from how its command ended: not started, stopped by the
// monitor (failed with the resource event's condition and class), stopped on
// request, done, or failed as classified, with the evidence's first line.
StepRecord stepRecordFor(const CommandOutcome& outcome, const StepEndingFacts& facts);

} // namespace lfsw
