// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lfsw {

class BuildJournal;
class BuildTree;
class Config;

// The disk space one item gave back.
struct ReclaimedItem {
    std::string what; // "cache", "scratch", "step logs", "store objects", ...
    std::string path; // what was emptied or removed
    std::uint64_t bytes = 0;
    std::string problem; // empty when it went well
};

// Bytes a path occupies on disk (allocated blocks), symlinks not followed.
std::uint64_t allocatedBytes(const std::filesystem::path& path);

// Frees disk space, only where it may: the `resources.reclaim` paths (their
// contents; the directories stay), the build's scratch directories, step logs
// and runs in the state directory, temporary files of interrupted writes, and
// store objects no checkpoint uses. A reclaim path that is `/`, a symlink, or
// holds the build root or the state directory is refused, not emptied.
class Reclaimer
{
public:
    Reclaimer(const Config& config, std::filesystem::path stateDirectory);

    std::vector<ReclaimedItem> caches();
    std::vector<ReclaimedItem> scratch(BuildTree& tree);
    // Step logs of runs other than the latest that are older than
    // `resources.log_retention`.
    std::vector<ReclaimedItem> oldStepLogs(BuildJournal& journal);
    // Every run but the latest: its rows and its step logs.
    std::vector<ReclaimedItem> oldRuns(BuildJournal& journal);
    std::vector<ReclaimedItem> temporaryFiles();
    std::vector<ReclaimedItem> storeObjects(BuildTree& tree);

    // "freed 1.2 GiB: cache /var/cache/ccache 1.1 GiB, scratch ... ".
    static std::string describe(const std::vector<ReclaimedItem>& items);
    static std::uint64_t total(const std::vector<ReclaimedItem>& items);

private:
    const Config& config_;
    std::filesystem::path stateDirectory_;
};

} // namespace lfsw
