// SPDX-License-Identifier: MIT
#include "plugin/plugin_crash_memory.h"

#include <sys/stat.h>

#include "state/state_database.h"

namespace lfsw {

namespace {

struct FileIdentity {
    std::int64_t size = 0;
    std::int64_t mtimeNs = 0;
};

std::optional<FileIdentity> identity(const std::filesystem::path& file)
{
    struct stat status {
    };
    if (::stat(file.c_str(), &status) != 0)
        return std::nullopt;
    return FileIdentity{static_cast<std::int64_t>(status.st_size),
                        static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 +
                            status.st_mtim.tv_nsec};
}

} // namespace

PluginCrashMemory::PluginCrashMemory(std::filesystem::path stateDirectory)
    : stateDirectory_(std::move(stateDirectory))
{
}

std::optional<PluginCrash> PluginCrashMemory::find(const std::filesystem::path& file) const
{
    if (stateDirectory_.empty() ||
        !std::filesystem::exists(stateDirectory_ / StateDatabase::kFileName))
        return std::nullopt;
    const auto now = identity(file);
    if (!now)
        return std::nullopt;
    StateDatabase database(stateDirectory_, false);
    auto query = database.prepare("SELECT plugin, what, provides, crashed_at FROM plugin_crash "
                                  "WHERE file = ? AND size = ? AND mtime_ns = ?");
    query.bind(1, file.string()).bind(2, now->size).bind(3, now->mtimeNs);
    if (!query.step())
        return std::nullopt;
    return PluginCrash{query.text(0), query.text(1), query.text(2), query.text(3)};
}

void PluginCrashMemory::remember(const std::filesystem::path& file, const PluginCrash& crash) const
{
    const auto now = identity(file);
    if (stateDirectory_.empty() || !std::filesystem::is_directory(stateDirectory_) || !now)
        return;
    StateDatabase database(stateDirectory_, true);
    database
        .prepare("INSERT OR REPLACE INTO plugin_crash (file, size, mtime_ns, plugin, what, "
                 "provides, crashed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, file.string())
        .bind(2, now->size)
        .bind(3, now->mtimeNs)
        .bind(4, crash.plugin)
        .bind(5, crash.what)
        .bind(6, crash.provides)
        .bind(7, crash.crashedAt)
        .step();
}

} // namespace lfsw
