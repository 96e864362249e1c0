// SPDX-License-Identifier: MIT
#include "monitor/resource_sampler.h"

#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/statvfs.h>

namespace lfsw {

namespace {

// The nearest existing ancestor: a state directory or repository that does
// not exist yet will be created on the filesystem of its parent.
std::filesystem::path existingAncestor(std::filesystem::path path)
{
    std::error_code error;
    path = std::filesystem::absolute(path, error);
    while (!path.empty() && !std::filesystem::exists(path, error) && path != path.root_path())
        path = path.parent_path();
    return path;
}

// The mount point holding `path`: the last ancestor on the same device.
std::string mountPointOf(const std::filesystem::path& path, dev_t device)
{
    std::filesystem::path current = path;
    while (current != current.root_path()) {
        struct stat info {
        };
        if (::stat(current.parent_path().c_str(), &info) != 0 || info.st_dev != device)
            break;
        current = current.parent_path();
    }
    return current.string();
}

std::optional<std::uint64_t> readNumber(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::string text;
    if (!(in >> text) || text == "max")
        return std::nullopt;
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<MemoryUsage> machineMemory()
{
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t value = 0;
    std::string unit;
    std::uint64_t total = 0;
    std::optional<std::uint64_t> available;
    while (in >> key >> value) {
        std::getline(in, unit);
        if (key == "MemTotal:")
            total = value * 1024;
        else if (key == "MemAvailable:")
            available = value * 1024;
    }
    if (total == 0 || !available)
        return std::nullopt;
    MemoryUsage usage;
    usage.totalBytes = total;
    usage.availableBytes = *available;
    usage.usedPercent =
        100.0 * static_cast<double>(total - *available) / static_cast<double>(total);
    usage.source = "/proc/meminfo";
    return usage;
}

void readPressure(std::map<std::string, double>& pressure)
{
    for (const char* resource : {"cpu", "memory", "io"}) {
        std::ifstream in(std::string("/proc/pressure/") + resource);
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string kind;
            std::string field;
            words >> kind >> field; // "some avg10=0.00 ..."
            if (field.rfind("avg10=", 0) == 0)
                pressure[std::string(resource) + "." + kind + ".avg10"] =
                    std::stod(field.substr(6));
        }
    }
}

} // namespace

ResourceSampler::ResourceSampler(std::vector<Watched> paths, bool disk, bool memory, bool cpu)
    : paths_(std::move(paths)), disk_(disk), memory_(memory), cpu_(cpu)
{
    // The cgroup v2 this process (and so the build it starts) runs in, when
    // it has a memory limit: "0::/system.slice/build.service".
    std::ifstream in("/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("0::", 0) != 0)
            continue;
        const std::filesystem::path directory = "/sys/fs/cgroup" + line.substr(3);
        if (readNumber(directory / "memory.max"))
            cgroup_ = directory;
    }
}

void ResourceSampler::prime()
{
    if (!cpu_)
        return;
    std::ifstream in("/proc/stat");
    std::string label;
    in >> label;
    std::uint64_t fields[10] = {};
    std::uint64_t total = 0;
    for (auto& field : fields) {
        if (!(in >> field))
            break;
        total += field;
    }
    // user nice system idle iowait irq softirq steal guest guest_nice; guest
    // time is already counted in user and nice.
    total -= fields[8] + fields[9];
    const std::uint64_t idle = fields[3] + fields[4];
    lastBusy_ = total - idle;
    lastTotal_ = total;
    primed_ = true;
}

ResourceSample ResourceSampler::sample()
{
    ResourceSample result;
    result.takenAt = std::chrono::system_clock::now();
    if (disk_) {
        std::map<dev_t, std::size_t> byDevice;
        for (const auto& watched : paths_) {
            const auto path = existingAncestor(watched.path);
            struct stat info {
            };
            struct statvfs fs {
            };
            if (::stat(path.c_str(), &info) != 0 || ::statvfs(path.c_str(), &fs) != 0)
                continue;
            auto known = byDevice.find(info.st_dev);
            if (known != byDevice.end()) {
                result.disks[known->second].holds.push_back(watched.role);
                continue;
            }
            DiskUsage usage;
            usage.mountPoint = mountPointOf(path, info.st_dev);
            usage.holds.push_back(watched.role);
            const std::uint64_t unit = fs.f_frsize;
            usage.totalBytes = fs.f_blocks * unit;
            usage.availableBytes = fs.f_bavail * unit;
            const std::uint64_t used = (fs.f_blocks - fs.f_bfree) * unit;
            const std::uint64_t usable = used + usage.availableBytes;
            usage.usedPercent =
                usable == 0 ? 0 : 100.0 * static_cast<double>(used) / static_cast<double>(usable);
            byDevice[info.st_dev] = result.disks.size();
            result.disks.push_back(std::move(usage));
        }
    }
    if (memory_) {
        result.memory = machineMemory();
        if (cgroup_) {
            auto limit = readNumber(*cgroup_ / "memory.max");
            auto current = readNumber(*cgroup_ / "memory.current");
            if (limit && current && *limit > 0) {
                MemoryUsage usage;
                usage.totalBytes = *limit;
                usage.availableBytes = *current < *limit ? *limit - *current : 0;
                usage.usedPercent =
                    100.0 * static_cast<double>(*current) / static_cast<double>(*limit);
                usage.source = cgroup_->string();
                if (!result.memory || usage.usedPercent > result.memory->usedPercent)
                    result.memory = usage;
            }
        }
    }
    if (cpu_) {
        const bool had = primed_;
        const auto busy = lastBusy_;
        const auto total = lastTotal_;
        prime();
        if (had && lastTotal_ > total)
            result.cpuPercent = 100.0 * static_cast<double>(lastBusy_ - busy) /
                                static_cast<double>(lastTotal_ - total);
    }
    readPressure(result.pressure);
    return result;
}

} // namespace lfsw
