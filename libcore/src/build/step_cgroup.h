// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "base/expected.h"

namespace lfsw {

// A memory cgroup for one build step, below the cgroup this process runs
// in: cgroup v2 `memory.max` where the memory controller is enabled for
// this process's children, else cgroup v1 `memory.limit_in_bytes` (and
// `memory.memsw.limit_in_bytes`, so the step cannot swap past it). Over its
// cap the kernel's OOM killer ends a process of the step, and the cgroup's
// counter (v2 memory.events, v1 memory.oom_control) says so: evidence that
// does not depend on reading the kernel log. Removed when destroyed.
class StepCgroup
{
public:
    // A cgroup `name` capped at `limitBytes`, or, when no writable memory
    // controller is available, what was missing (the caller falls back to
    // RLIMIT_AS).
    static Expected<std::unique_ptr<StepCgroup>> create(const std::string& name,
                                                        std::uint64_t limitBytes);
    ~StepCgroup();
    StepCgroup(const StepCgroup&) = delete;
    StepCgroup& operator=(const StepCgroup&) = delete;

    // The file a process writes "0" to, to join the cgroup (the step's
    // shell does, before it starts anything: CommandRunner::Options).
    std::filesystem::path procsFile() const { return directory_ / "cgroup.procs"; }
    // "FILE: oom_kill N" once the kernel OOM-killed a process inside the
    // cgroup, for the failure's evidence; empty while it has not.
    std::string oomEvidence() const;
    // "cgroup v1 memory.limit_in_bytes" or "cgroup v2 memory.max", with the directory.
    std::string describe() const;

private:
    StepCgroup(std::filesystem::path directory, int version);
    std::filesystem::path countersFile() const;
    std::uint64_t oomKills() const;

    std::filesystem::path directory_;
    int version_;
};

} // namespace lfsw
