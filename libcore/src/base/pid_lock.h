// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <sys/types.h>

#include "base/expected.h"
#include "base/unique_fd.h"

namespace lfsw {

// "One of these per state directory": an flock on a file that holds the
// owner's PID. The kernel drops the lock when the owner dies, however it
// dies, so a stale file never blocks the next one.
class PidLock
{
public:
    explicit PidLock(std::filesystem::path file);
    ~PidLock();
    PidLock(const PidLock&) = delete;
    PidLock& operator=(const PidLock&) = delete;

    // Takes the lock and writes our PID. When another process has it, the
    // error is that process's PID as its lock file says it (empty while it
    // has not written it yet).
    Expected<void> acquire();

    // The PID of the process holding the lock at `file`, if one does.
    static std::optional<pid_t> holder(const std::filesystem::path& file);
    // Whether `pid` holds the lock at `file`: alive, and the process that
    // was recorded, not another that reused a dead one's pid.
    static bool heldBy(const std::filesystem::path& file, pid_t pid);
    // Sends `signal` to `pid` only while it holds the lock at `file`,
    // through a pidfd opened before the check, so that the signal reaches
    // the process that was checked. False when it does not hold the lock.
    static bool signalHolder(const std::filesystem::path& file, pid_t pid, int signal);

private:
    std::filesystem::path file_;
    UniqueFd fd_; // held open: the lock lasts as long as it
};

} // namespace lfsw
