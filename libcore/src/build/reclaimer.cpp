// SPDX-License-Identifier: MIT
#include "build/reclaimer.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lfsw/units.h>

#include "base/path_rules.h"
#include "base/remove_beneath.h"
#include "base/unique_fd.h"
#include "build/build_journal.h"
#include "build/build_tree.h"
#include "config/config.h"

namespace lfsw {

namespace {

// Removes everything inside `directory`, keeps it. The directory is opened
// without a symlink anywhere on its path (a link in a parent could point it
// elsewhere), and what is in it is removed through descriptors, never across
// a mount point (removeBeneath).
std::uint64_t emptyDirectory(const std::filesystem::path& directory, std::string& problem)
{
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(
        static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, directory.c_str(), &how, sizeof how)));
    if (!fd.isValid()) {
        problem = errno == ELOOP ? "refused: a symlink on its path"
                                 : directory.string() + ": " + std::strerror(errno);
        return 0;
    }
    auto removal = removeBeneath(fd.get(), ".", directory.string(), true);
    fd.reset();
    if (!removal.errors.empty())
        problem = removal.errors.front();
    else if (!removal.mountPoints.empty())
        problem = "left alone the mount point " + removal.mountPoints.front();
    return removal.bytes;
}

} // namespace

std::uint64_t allocatedBytes(const std::filesystem::path& path)
{
    struct stat info {
    };
    if (::lstat(path.c_str(), &info) != 0)
        return 0;
    std::uint64_t bytes = static_cast<std::uint64_t>(info.st_blocks) * 512;
    if (!S_ISDIR(info.st_mode))
        return bytes;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(
             path, std::filesystem::directory_options::skip_permission_denied, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        if (::lstat(it->path().c_str(), &info) == 0)
            bytes += static_cast<std::uint64_t>(info.st_blocks) * 512;
    }
    return bytes;
}

Reclaimer::Reclaimer(const Config& config, std::filesystem::path stateDirectory)
    : config_(config), stateDirectory_(std::filesystem::absolute(std::move(stateDirectory)))
{
}

std::vector<ReclaimedItem> Reclaimer::caches()
{
    std::vector<ReclaimedItem> items;
    const auto root = std::filesystem::absolute(config_.buildRoot());
    for (const auto& text : config_.list("resources.reclaim")) {
        ReclaimedItem item{"cache", config_.resolvePath(text).lexically_normal().string(), 0, {}};
        const std::filesystem::path path(item.path);
        std::error_code error;
        if (path == path.root_path())
            item.problem = "refused: it is /";
        else if (std::filesystem::is_symlink(path, error))
            item.problem = "refused: it is a symlink";
        else if (path == root || isWithin(root, path) || path == stateDirectory_ ||
                 isWithin(stateDirectory_, path))
            item.problem = "refused: it holds the build root or the state directory";
        else if (!std::filesystem::is_directory(path, error))
            item.problem = "not a directory; nothing to do";
        else
            item.bytes = emptyDirectory(path, item.problem);
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<ReclaimedItem> Reclaimer::scratch(BuildTree& tree)
{
    ReclaimedItem item{"scratch", tree.root().string(), 0, {}};
    auto result = tree.cleanScratch(&item.bytes);
    if (!result.ok())
        item.problem = result.message();
    if (result.status() == Result::Status::NotApplicable)
        return {};
    return {item};
}

std::vector<ReclaimedItem> Reclaimer::oldStepLogs(BuildJournal& journal)
{
    std::vector<ReclaimedItem> items;
    const auto latest = journal.latestRun();
    const auto retention = *parseDuration(config_.string("resources.log_retention"));
    const auto cutoff = std::filesystem::file_time_type::clock::now() - retention;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(stateDirectory_ / "steps", error)) {
        if (latest && entry.path().filename() == std::to_string(latest->id))
            continue;
        if (entry.is_symlink() || !entry.is_directory() ||
            std::filesystem::last_write_time(entry.path(), error) > cutoff)
            continue;
        ReclaimedItem item{"step logs", entry.path().string(), allocatedBytes(entry.path()), {}};
        std::filesystem::remove_all(entry.path(), error);
        if (error)
            item.problem = error.message();
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<ReclaimedItem> Reclaimer::oldRuns(BuildJournal& journal)
{
    std::vector<ReclaimedItem> items;
    const auto latest = journal.latestRun();
    for (const auto& run : journal.runs()) {
        if (latest && run.id == latest->id)
            continue;
        const auto logs = stateDirectory_ / "steps" / std::to_string(run.id);
        ReclaimedItem item{"old run", "run " + std::to_string(run.id), allocatedBytes(logs), {}};
        journal.forgetRun(run.id);
        std::error_code error;
        std::filesystem::remove_all(logs, error);
        if (error)
            item.problem = error.message();
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<ReclaimedItem> Reclaimer::temporaryFiles()
{
    ReclaimedItem item{"temporary files", (stateDirectory_ / "store" / "tmp").string(), 0, {}};
    std::error_code error;
    if (!std::filesystem::is_directory(item.path, error) ||
        std::filesystem::is_symlink(item.path, error))
        return {};
    item.bytes = emptyDirectory(item.path, item.problem);
    return {item};
}

std::vector<ReclaimedItem> Reclaimer::storeObjects(BuildTree& tree)
{
    ReclaimedItem item{"store objects", tree.store().directory().string(), 0, {}};
    try {
        item.bytes = tree.store().gc(nullptr);
    } catch (const std::exception& e) {
        item.problem = e.what();
    }
    return {item};
}

std::string Reclaimer::describe(const std::vector<ReclaimedItem>& items)
{
    std::string text = "freed " + formatBytes(total(items));
    for (const auto& item : items) {
        text += "; " + item.what + " " + item.path + ": ";
        text += item.problem.empty() ? formatBytes(item.bytes) : item.problem;
    }
    return text;
}

std::uint64_t Reclaimer::total(const std::vector<ReclaimedItem>& items)
{
    std::uint64_t sum = 0;
    for (const auto& item : items)
        sum += item.bytes;
    return sum;
}

} // namespace lfsw
