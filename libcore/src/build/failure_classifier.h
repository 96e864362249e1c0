// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lfsw {

// How a step ended, as the classifier needs it.
struct StepEnding {
    int exitStatus = -1; // when it exited
    int signal = 0;      // when a signal ended it
    bool timedOut = false;
    // Kernel log lines written while the step ran (OOM killer reports).
    std::vector<std::string> kernelLines;
    // The counter of the step's memory cgroup that recorded an OOM kill
    // while it ran ("FILE: oom_kill N"); empty when there was none.
    std::string cgroupOomKill;
};

// A log line that supports a classification, with its line number (from 1).
struct EvidenceLine {
    int line = 0;
    std::string text;
};

// Why a step failed: the condition it raises, the failure class, and the
// evidence.
struct Classification {
    std::string condition;    // build_failure or resource_exhaustion
    std::string failureClass; // compile_error, link_error, ..., memory, disk
    std::string summary;      // one line for the user
    std::vector<EvidenceLine> evidence;
};

// Classifies a failed step from its exit status, signal and log. Out of
// memory (an OOM kill with kernel or cgroup evidence, or an allocation
// failure in the log) and out of disk (ENOSPC) raise resource_exhaustion;
// everything else raises build_failure with its class: timeout,
// fetch_error, missing_dependency, link_error, test_failure, compile_error,
// killed, unknown — in that order of precedence.
class FailureClassifier
{
public:
    static Classification classify(const StepEnding& ending, const std::vector<std::string>& log);
    // The same for a step's log file. A huge log is read from its last few
    // MiB only; evidence line numbers still count from the file's start.
    static Classification classifyLog(const StepEnding& ending, const std::filesystem::path& log);
};

} // namespace lfsw
