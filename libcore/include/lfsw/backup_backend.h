// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <lfsw/context.h>
#include <lfsw/result.h>

namespace lfsw {

// One backup as a backend lists it.
struct BackupSnapshot {
    std::string id;
    std::string time;               // as the backend prints it
    std::vector<std::string> tags;  // the backup types it holds
    std::vector<std::string> paths; // absolute paths it holds
};

// Where backups go when `backup.backend` names something other than "local":
// restic's repositories (the stock "restic" plugin), or a site's own. The
// host stages what each type holds (the state database through SQLite's
// backup API, say) and hands the backend absolute paths. Settings come
// through Context::setting ("backup.restic.repository"). A Failed result's
// message reaches the user as it is: put the tool's own error in it.
class BackupBackend
{
public:
    virtual ~BackupBackend() = default;

    virtual std::string name() const = 0;
    virtual std::string description() const = 0;

    // Backs up `paths`, tagged with the backup types they hold.
    virtual Result create(const std::vector<std::string>& paths,
                          const std::vector<std::string>& tags, Context& context) = 0;
    virtual Result list(std::vector<BackupSnapshot>& snapshots, Context& context) = 0;
    // Re-reads every byte of the repository's data; `id` empty: all of it.
    virtual Result verify(const std::string& id, Context& context) = 0;
    // Restores backup `id` ("latest" too) under `target` ("/" puts paths back
    // where they came from); `include` limits it to these absolute paths.
    virtual Result restore(const std::string& id, const std::vector<std::string>& include,
                           const std::string& target, Context& context) = 0;
    // Keeps the backups younger than `keepWithin` (and the newest), frees
    // the rest.
    virtual Result prune(std::chrono::seconds keepWithin, Context& context) = 0;
};

} // namespace lfsw
