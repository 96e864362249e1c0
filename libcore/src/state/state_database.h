// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "state/statement.h"

struct sqlite3;

namespace lfsw {

// The state database (`state.db` in the state directory): SQLite in WAL mode,
// its schema versioned by `PRAGMA user_version` and brought up to date by
// numbered migrations when opened. This is the one place that opens it.
class StateDatabase
{
public:
    static constexpr const char* kFileName = "state.db";

    // Creates the state directory (mode 0700, its parents as needed) when it
    // is missing; returns whether it did.
    static bool createDirectory(const std::filesystem::path& directory);

    // Opens (creating when asked) `directory`/state.db and migrates it.
    StateDatabase(const std::filesystem::path& directory, bool create);
    ~StateDatabase();
    StateDatabase(const StateDatabase&) = delete;
    StateDatabase& operator=(const StateDatabase&) = delete;

    Statement prepare(const std::string& sql);
    void execute(const std::string& sql);
    std::int64_t lastInsertId() const;
    // The schema version this database is at (equal to latestVersion() once open).
    int schemaVersion();
    static int latestVersion();
    const std::filesystem::path& file() const { return file_; }

    // Writes a consistent snapshot of the whole database to `file` with
    // SQLite's online backup API (never a copy of the live file, whose WAL
    // may hold what the main file lacks).
    void backupTo(const std::filesystem::path& file);
    // Replaces this database's content with `file`'s, through the same API.
    void restoreFrom(const std::filesystem::path& file);

    // Why `directory`/state.db cannot be used (it does not open, or fails
    // PRAGMA quick_check), or nothing when it can.
    static std::optional<std::string> problem(const std::filesystem::path& directory);
    // Puts a copy of `file` in place of `directory`/state.db by an atomic
    // rename, dropping its WAL: for a database too damaged to take a restore
    // through SQLite. Nothing may have the database open.
    static void replaceFile(const std::filesystem::path& directory,
                            const std::filesystem::path& file);

    // Runs `work` in one IMMEDIATE transaction (a writer lock up front), so
    // that two processes never interleave their read-modify-write.
    template <typename Work> void transaction(Work&& work)
    {
        execute("BEGIN IMMEDIATE");
        try {
            work();
            execute("COMMIT");
        } catch (...) {
            // After an I/O error SQLite may have rolled back already: the
            // original error is the one to report, not the rollback's.
            try {
                execute("ROLLBACK");
            } catch (...) {
            }
            throw;
        }
    }

private:
    void migrate();

    std::filesystem::path file_;
    sqlite3* db_ = nullptr;
};

} // namespace lfsw
