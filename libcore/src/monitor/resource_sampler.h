// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lfsw {

// One filesystem's usage, as df computes it: used / (used + available to
// unprivileged users).
struct DiskUsage {
    std::string mountPoint;
    std::vector<std::string> holds; // "build root", "state directory", ...
    std::uint64_t totalBytes = 0;
    std::uint64_t availableBytes = 0;
    double usedPercent = 0;
};

// Memory in use: the machine's (MemTotal - MemAvailable), or the build's
// cgroup v2 usage against its memory.max when one is set.
struct MemoryUsage {
    std::uint64_t totalBytes = 0;
    std::uint64_t availableBytes = 0;
    double usedPercent = 0;
    std::string source; // "/proc/meminfo" or the cgroup's directory
};

struct ResourceSample {
    std::chrono::system_clock::time_point takenAt;
    std::vector<DiskUsage> disks;
    std::optional<MemoryUsage> memory;
    std::optional<double> cpuPercent; // busy share of all CPUs since the last sample
    // Pressure stall information where the kernel has it: "memory.some.avg10" -> 1.5
    std::map<std::string, double> pressure;
};

// Reads disk (statvfs), memory (/proc/meminfo, cgroup v2), CPU (/proc/stat
// deltas) and pressure (/proc/pressure) figures. It keeps the last CPU
// counters between samples, so the first sample has no CPU figure unless
// prime() was called a moment before.
class ResourceSampler
{
public:
    struct Watched {
        std::filesystem::path path;
        std::string role; // "build root"
    };

    ResourceSampler(std::vector<Watched> paths, bool disk, bool memory, bool cpu);

    // Reads the CPU counters so that the next sample() can compute a load.
    void prime();
    ResourceSample sample();

    // The cgroup v2 directory of `pid`'s memory controller when it has a
    // memory.max limit; used for the build's cgroup.
    void setCgroup(std::filesystem::path directory) { cgroup_ = std::move(directory); }

private:
    std::vector<Watched> paths_;
    bool disk_;
    bool memory_;
    bool cpu_;
    std::optional<std::filesystem::path> cgroup_;
    std::uint64_t lastBusy_ = 0;
    std::uint64_t lastTotal_ = 0;
    bool primed_ = false;
};

} // namespace lfsw
