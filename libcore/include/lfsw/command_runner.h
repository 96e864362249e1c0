// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lfsw/export.h>

namespace lfsw {

// How a command ended.
struct LFSW_EXPORT CommandOutcome {
    bool started = false;  // false: it could not be started (see `error`)
    int exitStatus = -1;   // when it exited
    int signal = 0;        // when a signal ended it
    bool timedOut = false; // killed because the timeout passed
    bool stopped = false;  // ended because stopRequested asked for it
    int pid = 0;           // the shell's pid, also its process group
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
    // What stopRequested() may ask for.
    enum class Stop { None, Graceful, Force };

    struct Options {
        std::chrono::milliseconds timeout{0}; // 0: none
        std::chrono::milliseconds grace{std::chrono::seconds(5)};
        std::filesystem::path workdir;                  // empty: the current directory
        std::map<std::string, std::string> environment; // added to the inherited one
        // When set, only these variables of this process's environment are
        // inherited ("NAME", or "PREFIX*" for every name that starts so),
        // and none named in `withheld`; `environment` is added to them.
        // Unset: the whole environment is inherited.
        std::optional<std::vector<std::string>> inheritOnly;
        std::vector<std::string> withheld;
        std::string user;                // run as this user (needs root); empty: as we are
        std::filesystem::path chrootDir; // chroot here first (needs root); workdir is inside
        // With chrootDir: /dev, /dev/pts, /proc, /sys, /run and /dev/shm
        // mounted inside it, as the LFS book's kernfs page does, in a mount namespace
        // of the command's own. Nothing of it reaches the caller's mounts,
        // and it is gone when the command's last process ends.
        bool chrootMounts = false;
        // Every process the command starts ends with it, also one that left
        // its process group or session (setsid, a daemon): the command runs
        // below a keeper process, a subreaper that every orphan of the
        // command's comes to, and that kills what is left when the command
        // has ended. The pid and group reported are the keeper's.
        bool containProcesses = false;
        std::uint64_t memoryLimitBytes = 0; // RLIMIT_AS; 0: none
        // A cgroup's `cgroup.procs` file: the command joins that cgroup
        // before it runs anything, so every process it starts is in it
        // (needs the right to write there; the command fails to start
        // otherwise). Empty: the command stays in this process's cgroups.
        std::filesystem::path cgroupProcs;
        // The shell that runs the command with -c, by absolute path (inside
        // chrootDir when that is set); empty: /bin/sh.
        std::string shell;
        // Called with the shell's pid (= its process group) once it runs.
        std::function<void(int pid)> onStarted;
        // Polled about every 100 ms while the command runs; a stop ends the
        // whole process group (Graceful: SIGTERM, grace, SIGKILL; Force:
        // SIGKILL), and every other process descended from it.
        std::function<Stop()> stopRequested;
        // When set, output is handed over as it arrives, in chunks that need
        // not end at a line break, and the line callback is not used: for
        // output that goes to files and terminals unchanged.
        std::function<void(std::string_view chunk)> onOutput;
        // When >= 0, output is moved into this file in the kernel (splice),
        // from offset 0, without passing through this process; after each
        // move onAppended(offset, length) says where it went. onOutput and
        // the line callback are then not used.
        int outputFile = -1;
        std::function<void(std::int64_t offset, std::size_t length)> onAppended;
    };

    CommandOutcome run(const std::string& command, const Options& options,
                       const std::function<void(std::string_view line)>& onLine) const;
};

} // namespace lfsw
