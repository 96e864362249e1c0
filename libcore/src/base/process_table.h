// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lfsw {

// One process as /proc shows it.
struct ProcessInfo {
    pid_t pid = 0;
    pid_t parent = 0;
    pid_t group = 0;
    char state = '?';
    std::string command;        // comm, e.g. "cc1"
    std::uint64_t rssBytes = 0; // resident memory
    std::uint64_t cpuTicks = 0; // user + system time, in clock ticks
};

// A snapshot of /proc, and the operations the supervisor needs on it: the
// processes of a build (descendants of the supervisor, members of a step's
// process group), and ending them however they try to escape.
class ProcessTable
{
public:
    static ProcessTable snapshot();

    const std::vector<ProcessInfo>& processes() const { return processes_; }
    // Every live (not zombie) process below `root` in the parent tree, and
    // every process of `group` when it is not 0.
    std::vector<ProcessInfo> buildProcesses(pid_t root, pid_t group) const;

    // Sends SIGTERM to the build's processes, waits up to `grace` for them to
    // end, then SIGKILLs what is left (at once when grace is 0). Re-scans
    // /proc each round, so children forked meanwhile are caught too. Returns
    // how many processes were signalled.
    static int terminate(pid_t root, pid_t group, std::chrono::milliseconds grace);
    // Ends the given processes the same way.
    static int terminatePids(const std::vector<pid_t>& pids, std::chrono::milliseconds grace);
    static bool alive(pid_t pid);

private:
    std::vector<ProcessInfo> processes_;
};

} // namespace lfsw
