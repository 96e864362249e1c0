// SPDX-License-Identifier: MIT
#include "state/state_database.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/unique_fd.h"
#include "state/state_error.h"

namespace lfsw {

namespace {

// Each entry moves the schema from version i to i + 1. Never edit a released
// migration: add a new one.
constexpr std::array kMigrations = {
    // 1: recovery attempts and their journal, alerts sent.
    R"sql(
    CREATE TABLE attempt_counter (
        condition  TEXT NOT NULL,
        step       TEXT NOT NULL,
        attempts   INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (condition, step)
    );
    CREATE TABLE recovery_attempt (
        id          INTEGER PRIMARY KEY,
        condition   TEXT NOT NULL,
        failure_class TEXT NOT NULL,
        step        TEXT NOT NULL,
        chain_key   TEXT NOT NULL,
        attempt     INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        ended_at    TEXT,
        outcome     TEXT NOT NULL,
        message     TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE recovery_journal (
        id          INTEGER PRIMARY KEY,
        attempt_id  INTEGER NOT NULL REFERENCES recovery_attempt(id),
        position    INTEGER NOT NULL,
        action      TEXT NOT NULL,
        params      TEXT NOT NULL,
        repeatable  INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        ended_at    TEXT,
        result      TEXT NOT NULL,
        message     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX recovery_journal_attempt ON recovery_journal(attempt_id);
    CREATE TABLE alert_sent (
        id          INTEGER PRIMARY KEY,
        sent_at     TEXT NOT NULL,
        channel     TEXT NOT NULL,
        condition   TEXT NOT NULL,
        subject     TEXT NOT NULL,
        result      TEXT NOT NULL,
        message     TEXT NOT NULL DEFAULT ''
    );
    )sql",
    // 2: supervised builds: runs, their steps, and the limits adjust_limits chose.
    R"sql(
    CREATE TABLE build_run (
        id             INTEGER PRIMARY KEY,
        plan_source    TEXT NOT NULL,
        plan_text      TEXT NOT NULL,
        build_root     TEXT NOT NULL,
        started_at     TEXT NOT NULL,
        ended_at       TEXT,
        state          TEXT NOT NULL,
        message        TEXT NOT NULL DEFAULT '',
        supervisor_pid INTEGER,
        stop_request   TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE build_step (
        run_id        INTEGER NOT NULL REFERENCES build_run(id),
        position      INTEGER NOT NULL,
        name          TEXT NOT NULL,
        state         TEXT NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        started_at    TEXT,
        ended_at      TEXT,
        exit_status   INTEGER,
        signal        INTEGER,
        condition     TEXT NOT NULL DEFAULT '',
        failure_class TEXT NOT NULL DEFAULT '',
        pgid          INTEGER,
        log_file      TEXT NOT NULL DEFAULT '',
        jobs          INTEGER,
        memory_limit  INTEGER,
        message       TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, position)
    );
    CREATE TABLE limits_adjustment (
        id           INTEGER PRIMARY KEY,
        adjusted_at  TEXT NOT NULL,
        jobs         INTEGER NOT NULL,
        memory_bytes INTEGER NOT NULL,
        reason       TEXT NOT NULL
    );
    )sql",
    // 3: resource samples of the monitor, the alerts it raised, and the alert
    // outbox (one row per alert and channel, with its tries).
    R"sql(
    CREATE TABLE resource_sample (
        id        INTEGER PRIMARY KEY,
        taken_at  TEXT NOT NULL,
        resource  TEXT NOT NULL,
        subject   TEXT NOT NULL,
        value     REAL NOT NULL,
        threshold REAL
    );
    CREATE INDEX resource_sample_taken ON resource_sample(taken_at);
    CREATE TABLE alert_outbox (
        id          INTEGER PRIMARY KEY,
        created_at  TEXT NOT NULL,
        channel     TEXT NOT NULL,
        condition   TEXT NOT NULL,
        repeat_key  TEXT NOT NULL,
        recipients  TEXT NOT NULL,
        subject     TEXT NOT NULL,
        payload     TEXT NOT NULL,
        state       TEXT NOT NULL,
        tries       INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        last_error  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX alert_outbox_state ON alert_outbox(state, next_try_at);
    CREATE INDEX alert_outbox_repeat ON alert_outbox(repeat_key, created_at);
    )sql",
    // 4: when each daemon job last ran, so a run missed while the daemon was
    // down happens once when it starts.
    R"sql(
    CREATE TABLE daemon_job (
        name        TEXT PRIMARY KEY,
        last_run_at TEXT NOT NULL,
        result      TEXT NOT NULL DEFAULT ''
    );
    )sql",
    // 5: what each backup restore wrote, for `verify data --restored`.
    R"sql(
    CREATE TABLE backup_restore (
        id          INTEGER PRIMARY KEY,
        restored_at TEXT NOT NULL,
        backup_id   TEXT NOT NULL,
        damaged     INTEGER NOT NULL
    );
    CREATE TABLE restored_path (
        restore_id INTEGER NOT NULL REFERENCES backup_restore(id),
        part       TEXT NOT NULL,
        path       TEXT NOT NULL,
        target     TEXT NOT NULL
    );
    CREATE INDEX restored_path_restore ON restored_path(restore_id);
    )sql",
    // 6: plugins whose worker crashed, skipped until their file changes.
    R"sql(
    CREATE TABLE plugin_crash (
        file       TEXT PRIMARY KEY,
        size       INTEGER NOT NULL,
        mtime_ns   INTEGER NOT NULL,
        plugin     TEXT NOT NULL,
        what       TEXT NOT NULL,
        provides   TEXT NOT NULL,
        crashed_at TEXT NOT NULL
    );
    )sql",
    // 7: steps taken back by step undo, and the checkpoint that takes the
    // undo back.
    R"sql(
    CREATE TABLE step_undo (
        id                INTEGER PRIMARY KEY,
        run_id            INTEGER NOT NULL REFERENCES build_run(id),
        position          INTEGER NOT NULL,
        before_checkpoint TEXT NOT NULL,
        after_checkpoint  TEXT NOT NULL,
        undone_at         TEXT NOT NULL
    );
    )sql",
    // 8: incidents: the attempts about one condition in one step, from the
    // first until the step succeeds or recovery gives up. Each attempt of an
    // earlier version becomes an incident of its own.
    R"sql(
    CREATE TABLE incident (
        id            INTEGER PRIMARY KEY,
        condition     TEXT NOT NULL,
        failure_class TEXT NOT NULL,
        step          TEXT NOT NULL,
        run_id        INTEGER REFERENCES build_run(id) ON DELETE SET NULL,
        evidence      TEXT NOT NULL,
        source        TEXT NOT NULL,
        opened_at     TEXT NOT NULL,
        closed_at     TEXT,
        outcome       TEXT NOT NULL,
        message       TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX incident_open ON incident(condition, step, closed_at);
    ALTER TABLE recovery_attempt ADD COLUMN incident_id INTEGER REFERENCES incident(id);
    INSERT INTO incident (id, condition, failure_class, step, evidence, source, opened_at,
                          closed_at, outcome, message)
        SELECT id, condition, failure_class, step, '{}', 'earlier version', started_at,
               COALESCE(ended_at, started_at), outcome, message FROM recovery_attempt;
    UPDATE recovery_attempt SET incident_id = id;
    ALTER TABLE alert_outbox ADD COLUMN incident_id INTEGER;
    )sql",
    // 9: every attempt of a step with its times, for the report's timeline
    // (build_step keeps only the last). By name: a resumed run may renumber.
    R"sql(
    CREATE TABLE step_attempt (
        run_id        INTEGER NOT NULL,
        name          TEXT NOT NULL,
        attempt       INTEGER NOT NULL,
        started_at    TEXT NOT NULL,
        ended_at      TEXT,
        state         TEXT NOT NULL,
        failure_class TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, name, attempt)
    );
    )sql",
    // 10: every backup taken, by the command or the daemon, with its size
    // and time: what the metrics say of backups without reading the
    // repository on each scrape. bytes and new_bytes are NULL where the
    // backend does not say (a plugin's).
    R"sql(
    CREATE TABLE backup_run (
        id         INTEGER PRIMARY KEY,
        backend    TEXT NOT NULL,
        types      TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at   TEXT NOT NULL,
        result     TEXT NOT NULL,
        bytes      INTEGER,
        new_bytes  INTEGER,
        message    TEXT NOT NULL DEFAULT ''
    );
    )sql",
};

} // namespace

StateDatabase::StateDatabase(const std::filesystem::path& directory, bool create)
    : file_(directory / kFileName)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw StateError("cannot open the state database " + file_.string() + ": " + message);
    }
    sqlite3_busy_timeout(db_, 10000);
    try {
        execute("PRAGMA journal_mode=WAL");
        execute("PRAGMA synchronous=NORMAL");
        execute("PRAGMA foreign_keys=ON");
        migrate();
    } catch (const StateError& e) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw StateError(file_.string() + ": " + e.what());
    }
}

namespace {

// Copies all pages from `source` to `target`, retrying while either is busy.
void copyDatabase(sqlite3* target, sqlite3* source, const std::string& what)
{
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
    if (!backup)
        throw StateError(what + ": " + sqlite3_errmsg(target));
    int rc;
    while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep(50);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE)
        throw StateError(what + ": " + sqlite3_errstr(rc));
}

sqlite3* openFile(const std::filesystem::path& file, int flags)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string message = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StateError("cannot open " + file.string() + ": " + message);
    }
    return db;
}

} // namespace

void StateDatabase::backupTo(const std::filesystem::path& file)
{
    sqlite3* target = openFile(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    try {
        copyDatabase(target, db_, "backup of " + file_.string() + " to " + file.string());
    } catch (...) {
        sqlite3_close(target);
        throw;
    }
    sqlite3_close(target);
}

void StateDatabase::restoreFrom(const std::filesystem::path& file)
{
    sqlite3* source = openFile(file, SQLITE_OPEN_READONLY);
    try {
        copyDatabase(db_, source, "restore of " + file_.string() + " from " + file.string());
    } catch (...) {
        sqlite3_close(source);
        throw;
    }
    sqlite3_close(source);
}

bool StateDatabase::createDirectory(const std::filesystem::path& directory)
{
    struct stat info {
    };
    if (::lstat(directory.c_str(), &info) == 0) {
        // It holds the database, step logs and checkpoints of a process that
        // runs as root: someone else who can write there could plant them.
        if (!S_ISDIR(info.st_mode))
            throw std::runtime_error("the state directory " + directory.string() +
                                     " is not a directory (a symlink?); refusing to use it");
        if (info.st_uid != ::geteuid() || (info.st_mode & 022) != 0)
            throw std::runtime_error("the state directory " + directory.string() + " is " +
                                     (info.st_uid != ::geteuid()
                                          ? "owned by uid " + std::to_string(info.st_uid)
                                          : std::string("writable by group or others")) +
                                     "; refusing to use it (chown it to uid " +
                                     std::to_string(::geteuid()) + " and chmod 0700)");
        return false;
    }
    std::filesystem::create_directories(directory.parent_path());
    if (::mkdir(directory.c_str(), 0700) == 0)
        return true;
    if (errno == EEXIST)
        return false;
    throw std::filesystem::filesystem_error("cannot create the state directory", directory,
                                            std::error_code(errno, std::generic_category()));
}

std::optional<std::string> StateDatabase::problem(const std::filesystem::path& directory)
{
    try {
        StateDatabase database(directory, false);
        auto check = database.prepare("PRAGMA quick_check");
        if (check.step() && check.text(0) != "ok")
            return "quick_check: " + check.text(0);
        return std::nullopt;
    } catch (const std::exception& error) {
        return std::string(error.what());
    }
}

void StateDatabase::replaceFile(const std::filesystem::path& directory,
                                const std::filesystem::path& file)
{
    const auto live = directory / kFileName;
    const auto temporary = directory / (std::string(kFileName) + ".restoring");
    std::filesystem::copy_file(file, temporary, std::filesystem::copy_options::overwrite_existing);
    auto sync = [](const std::filesystem::path& path, int flags) {
        UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
        const bool synced = fd.isValid() && ::fsync(fd.get()) == 0;
        fd.reset();
        if (!synced)
            throw StateError("cannot make " + path.string() + " durable: " + std::strerror(errno));
    };
    sync(temporary, O_RDONLY);
    // The old WAL belongs to the damaged file: it must not be replayed into
    // the new one.
    std::filesystem::remove(directory / (std::string(kFileName) + "-wal"));
    std::filesystem::remove(directory / (std::string(kFileName) + "-shm"));
    std::filesystem::rename(temporary, live);
    sync(directory, O_RDONLY | O_DIRECTORY);
}

StateDatabase::~StateDatabase()
{
    sqlite3_close(db_);
}

Statement StateDatabase::prepare(const std::string& sql)
{
    return Statement(db_, sql);
}

void StateDatabase::execute(const std::string& sql)
{
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(db_);
        sqlite3_free(error);
        throw StateError("state database: " + message);
    }
}

std::int64_t StateDatabase::lastInsertId() const
{
    return sqlite3_last_insert_rowid(db_);
}

int StateDatabase::schemaVersion()
{
    Statement version = prepare("PRAGMA user_version");
    version.step();
    return static_cast<int>(version.integer(0));
}

int StateDatabase::latestVersion()
{
    return static_cast<int>(kMigrations.size());
}

void StateDatabase::migrate()
{
    transaction([this] {
        const int current = schemaVersion();
        if (current > latestVersion())
            throw StateError("schema version " + std::to_string(current) +
                             " is newer than this lfs-wrapper understands (" +
                             std::to_string(latestVersion()) + "); use a newer lfs-wrapper");
        for (int version = current; version < latestVersion(); ++version) {
            execute(kMigrations[static_cast<std::size_t>(version)]);
            execute("PRAGMA user_version = " + std::to_string(version + 1));
        }
    });
}

} // namespace lfsw
