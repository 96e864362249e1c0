// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/pid_lock.h"
#include "store/checkpoint_store.h"

namespace lfsw {

class Config;
class StateDatabase;

// One backup: the parts it holds (one manifest each: the build tree, the
// build's progress, each critical path), all named by the backup's id.
struct Backup {
    std::string id; // "20261125T213000Z": when it was taken, UTC; sorts by time
    std::chrono::system_clock::time_point created;
    std::vector<Manifest> parts;
    int expectedParts = 0; // how many it was to have: fewer means interrupted

    bool complete() const { return static_cast<int>(parts.size()) == expectedParts; }
    std::vector<std::string> types() const;
    std::uint64_t files() const;
    std::uint64_t bytes() const;
    std::uint64_t newBytes() const;
};

// Where one restored path went, for `verify data --restored`.
struct RestoredPath {
    std::string part;   // the part's manifest id
    std::string path;   // the entry in that manifest
    std::string target; // the absolute path it was written to
};

struct BackupRestoreReport {
    std::vector<RestoredPath> written;
    std::vector<std::string> damaged; // "type: path" whose object is missing or corrupt
    std::vector<std::string> notes;   // what went where, in words
    // Mount points met inside a restored tree: left alone with what is on
    // them, so the restore is not complete.
    std::vector<std::string> mountPoints;
};

// A difference between the latest backup and the live data.
struct DataDifference {
    std::string type;   // critical-data, system-state, ...
    std::string path;   // absolute live path
    std::string status; // missing, corrupt (content changed, size and mtime not), changed, new
};

// The backup repository at `backup.repository` (STATE/backups by default):
// a content-addressed store like the checkpoint store, its objects
// compressed with zstd, one manifest per part of a backup. A backup is
// written part by part, each part crash-safely; a lock file keeps two
// writers (create, prune) from interleaving — the second is refused.
// One part of a backup before it is taken: its type, the directory its
// manifest is taken of, and for staged copies where each file came from
// ("from:NAME=PATH" tags, so that a restore puts it back there).
struct BackupSource {
    std::string type;
    std::filesystem::path root;
    std::vector<std::string> origins;
};

class BackupRepository
{
public:
    static constexpr const char* kTypes[] = {"system-state", "build-progress", "critical-data"};

    BackupRepository(const Config& config, std::filesystem::path stateDirectory);

    // Where the repository of this config lives.
    static std::filesystem::path location(const Config& config,
                                          const std::filesystem::path& stateDirectory);
    const std::filesystem::path& directory() const { return directory_; }

    // What a backup of `types` reads: the build root; the state database
    // (copied with SQLite's backup API), the config and the plan, staged in
    // `stagingDirectory`/build-progress; each critical path (a single file
    // staged beside). Throws when a critical path is missing or nothing is
    // selected.
    static std::vector<BackupSource> stageSources(const Config& config,
                                                  const std::vector<std::string>& types,
                                                  StateDatabase& database,
                                                  const std::filesystem::path& stagingDirectory);

    // Takes a backup of these types; `database` is the live state database
    // (copied with SQLite's backup API). Refused (std::runtime_error) while
    // another create or prune holds the lock.
    Backup create(const std::vector<std::string>& types, StateDatabase& database,
                  const ProgressCallback& progress);
    // Every backup, oldest first; unreadable manifests go to `problems`.
    std::vector<Backup> list(std::vector<std::string>* problems = nullptr) const;
    // "latest" (the newest backup with a readable part) or an id. Only its
    // own manifests are read whole. Those of its parts that do not parse,
    // and manifests whose header does not (which backup they belong to is
    // not known), go to `problems`.
    std::optional<Backup> find(const std::string& selector,
                               std::vector<std::string>* problems = nullptr) const;

    std::vector<StoreProblem> verify(const Backup& backup, const ProgressCallback& progress) const;

    // Restores each part to where it came from, or under `to` (one
    // directory per type). `selective`: only these paths (absolute, or
    // relative to the build root). Damaged objects are skipped and listed.
    // The state database goes back through `database` (SQLite's backup API),
    // or, without one (the live file is unreadable), by replacing the file.
    BackupRestoreReport restore(const Backup& backup, const std::vector<std::string>& selective,
                                const std::optional<std::filesystem::path>& to,
                                StateDatabase* database, const ProgressCallback& progress);

    // Restores into a scratch directory, compares it bit for bit with the
    // manifests, removes the scratch; returns the mismatches.
    std::vector<std::string> testRestore(const Backup& backup, const ProgressCallback& progress);

    // Removes backups older than `backup.retention` except the newest, then
    // the objects no backup uses. Returns the ids removed and bytes freed.
    std::pair<std::vector<std::string>, std::uint64_t>
    prune(std::chrono::system_clock::time_point now);

    // What the backup has that differs from the live data (critical data
    // and, with `tree`, the build tree): missing, corrupt, changed, new.
    std::vector<DataDifference> compare(const Backup& backup, bool tree) const;

    // Restores `paths` from the newest backup holding each of them
    // undamaged; a description of what it did, or an exception.
    std::string repair(const std::vector<std::string>& paths, StateDatabase& database);

    // Compares what a restore wrote (still on disk at its targets) with the
    // backup: one line per path that differs.
    std::vector<std::string> checkRestored(const Backup& backup,
                                           const std::vector<RestoredPath>& written) const;

    // The live path a part's entry belongs to.
    std::filesystem::path livePath(const Manifest& part, const std::string& entry) const;

private:
    // Takes the writer lock or throws saying who holds it.
    std::unique_ptr<PidLock> writerLock() const;
    TreeWalker::Options walkFor(const std::string& type) const;

    const Config& config_;
    std::filesystem::path stateDirectory_;
    std::filesystem::path directory_;
    mutable CheckpointStore store_;
};

} // namespace lfsw
