// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <lfsw/backup_backend.h>
#include <lfsw/result.h>

#include "state/logging.h"
#include "store/backup_repository.h"

namespace lfsw {

class Config;
class Services;

// The backups of one build, whichever backend holds them: the local
// repository (`backup.backend: local`) or the BackupBackend plugin it names.
// What is decided about backups is decided here — which backend, when a
// restore may replace the state database, what a restore journals, what a
// damaged critical path raises — so that the host's commands, the daemon's
// scheduled job and embedders do the same. Messages are in words, for the
// caller to print.
class BackupService
{
public:
    // `services`: the state directory's objects, asked for only when needed
    // (a command that finds no backups creates nothing).
    BackupService(const Config& config, std::filesystem::path stateDirectory,
                  std::function<Services&()> services);
    ~BackupService();
    BackupService(const BackupService&) = delete;
    BackupService& operator=(const BackupService&) = delete;

    // The plugin backend and the context its calls take, when
    // `backup.backend` is not "local"; throws when no loaded plugin provides
    // it.
    struct Plugin {
        BackupBackend& backend;
        Context& context;
    };
    std::optional<Plugin> plugin();
    // The local repository, created on first use.
    BackupRepository& repository();
    // Whether the local repository holds any backup (without creating it).
    bool hasLocalBackups() const;
    std::filesystem::path localLocation() const;

    struct Created {
        Result result;                     // what was taken, in one line
        std::vector<std::string> warnings; // said before the work
    };
    // Takes a backup of `types` (names checked by the caller).
    Created create(const std::vector<std::string>& types, const ProgressCallback& progress);
    // Removes backups past `backup.retention` (never the newest).
    Result prune();
    // The daemon's scheduled job: a backup of `backup.types`, then a prune.
    Result createAndPrune();

    struct RestoreRequest {
        std::string selector = "latest";
        std::vector<std::string> selective; // absolute, or relative to the build root
        std::optional<std::filesystem::path> to;
    };
    struct Restored {
        bool ok = false;
        std::vector<std::string> said;   // what happened, in order
        std::vector<std::string> errors; // why it failed or is incomplete
    };
    // Restores a backup, refusing (nothing restored) while a build runs or,
    // when the state database is too damaged to take a restore through
    // SQLite, while a process uses it; journals what it wrote.
    Restored restore(const RestoreRequest& request, const ProgressCallback& progress);

    // The local backup `selector` names ("latest" or an id); manifests
    // that do not parse go to `problems`.
    std::optional<Backup> find(const std::string& selector,
                               std::vector<std::string>* problems = nullptr);
    // Why find() found nothing, and where to look.
    std::string noSuchBackup(const std::string& selector) const;
    // What `command` says when the local repository holds no backup.
    std::string noBackups(const std::string& command) const;

    // Critical paths missing or corrupt against `backup`: raises
    // minor_corruption, running its chain where the config recovers it
    // automatically, else alerting. Returns what was done.
    std::string raiseCorruption(const Backup& backup, const std::vector<std::string>& paths);

private:
    struct PluginState;
    // A backup being taken, for record().
    struct Taken {
        std::string backend, types, startedAt;
    };
    // Adds the backup to the state database's backup_run (what the metrics
    // report of backups) and refreshes the metrics textfile; `sizes`: what
    // it holds and what it added to the repository, when the backend says.
    void record(const Taken& taken, const Result& result,
                std::optional<std::pair<std::uint64_t, std::uint64_t>> sizes);
    Restored restoreThroughPlugin(const RestoreRequest& request);

    const Config& config_;
    std::filesystem::path stateDirectory_;
    std::function<Services&()> services_;
    std::unique_ptr<BackupRepository> repository_;
    std::unique_ptr<PluginState> plugin_;
    Logger logger_;
};

} // namespace lfsw
