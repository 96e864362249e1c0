// SPDX-License-Identifier: MIT
// How a step's record follows from how its command ended: the states and
// conditions build status shows and recovery chains are chosen by.
#include <doctest/doctest.h>

#include <csignal>

#include "build/step_outcome.h"

using lfsw::CommandOutcome;
using lfsw::StepEndingFacts;
using lfsw::stepRecordFor;

namespace {

CommandOutcome ended(int exitStatus, int signal = 0)
{
    CommandOutcome outcome;
    outcome.started = true;
    outcome.exitStatus = exitStatus;
    outcome.signal = signal;
    return outcome;
}

StepEndingFacts facts(int* classified = nullptr)
{
    StepEndingFacts facts;
    facts.position = 3;
    facts.name = "gcc-pass1";
    facts.classify = [classified](const lfsw::StepEnding& ending) {
        if (classified)
            ++*classified;
        lfsw::Classification c;
        c.condition = "build_failure";
        c.failureClass = ending.signal ? "killed" : "compile_error";
        c.summary = ending.signal ? "killed by a signal" : "a compiler error";
        c.evidence = {{42, "foo.c:1:2: error: expected ';'"}};
        return c;
    };
    return facts;
}

} // namespace

TEST_CASE("a command that succeeded: done, never classified")
{
    int classified = 0;
    const auto record = stepRecordFor(ended(0), facts(&classified));
    CHECK(record.state == "done");
    CHECK(record.position == 3);
    CHECK(record.name == "gcc-pass1");
    CHECK(record.exitStatus == 0);
    CHECK_FALSE(record.signal);
    CHECK(classified == 0);
}

TEST_CASE("a command that failed: the classification and its first evidence line")
{
    const auto record = stepRecordFor(ended(2), facts());
    CHECK(record.state == "failed");
    CHECK(record.condition == "build_failure");
    CHECK(record.failureClass == "compile_error");
    CHECK(record.exitStatus == 2);
    CHECK(record.message ==
          "exited with status 2: a compiler error (log line 42: foo.c:1:2: error: expected ';')");
}

TEST_CASE("a signal is recorded as the signal, not an exit status")
{
    const auto record = stepRecordFor(ended(-1, SIGKILL), facts());
    CHECK(record.signal == SIGKILL);
    CHECK_FALSE(record.exitStatus);
    CHECK(record.failureClass == "killed");
}

TEST_CASE("stopped by the monitor: failed with the resource event's condition")
{
    auto outcome = ended(-1, SIGTERM);
    outcome.stopped = true;
    auto f = facts();
    lfsw::Event event;
    event.condition = "resource_exhaustion";
    event.failureClass = "disk";
    event.evidence["summary"] = "/ is 97% full";
    f.monitorEvent = event;
    const auto record = stepRecordFor(outcome, f);
    CHECK(record.state == "failed");
    CHECK(record.condition == "resource_exhaustion");
    CHECK(record.failureClass == "disk");
    CHECK(record.message == "stopped by the monitor: / is 97% full");

    f.stopForced = true; // build stop --force wins over the monitor
    f.stopCause = "stopped by build stop --force";
    const auto forced = stepRecordFor(outcome, f);
    CHECK(forced.state == "stopped");
    CHECK(forced.message == "stopped by build stop --force");
}

TEST_CASE("stopped on request, and a command that never started")
{
    auto outcome = ended(-1, SIGTERM);
    outcome.stopped = true;
    CHECK(stepRecordFor(outcome, facts()).message == "stopped");

    CommandOutcome never;
    never.started = false;
    never.error = "cannot run /bin/sh";
    const auto record = stepRecordFor(never, facts());
    CHECK(record.state == "failed");
    CHECK(record.condition == "build_failure");
    CHECK(record.failureClass == "unknown");
    CHECK(record.message == "could not start: cannot run /bin/sh");
}
