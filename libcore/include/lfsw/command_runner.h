// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <lfsw/export.h>

namespace lfsw {

// How a command ended.
struct LFSW_EXPORT CommandOutcome {
    bool started = false;  // false: it could not be started (see `error`)
    int exitStatus = -1;   // when it exited
    int signal = 0;        // when a signal ended it
    bool timedOut = false; // killed because the timeout passed
    std::string error;     // why it could not be started
    // "exited with status 2", "killed by signal 9 (SIGKILL)", "timed out after 30s".
    std::string summary() const;
    bool succeeded() const { return started && !timedOut && signal == 0 && exitStatus == 0; }
};

// Runs a shell command (/bin/sh -c) in its own process group, hands each line
// of its output (stdout and stderr merged) to a callback, and enforces a
// timeout: when it passes, the whole group gets SIGTERM, then SIGKILL after a
// grace period, so no descendant outlives it.
class LFSW_EXPORT CommandRunner
{
public:
    struct Options {
        std::chrono::milliseconds timeout{0}; // 0: none
        std::chrono::milliseconds grace{std::chrono::seconds(5)};
        std::filesystem::path workdir;              // empty: the current directory
        std::map<std::string, std::string> environment; // added to the inherited one
    };

    CommandOutcome run(const std::string& command, const Options& options,
                       const std::function<void(std::string_view line)>& onLine) const;
};

} // namespace lfsw
