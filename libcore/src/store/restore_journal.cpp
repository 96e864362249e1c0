// SPDX-License-Identifier: MIT
#include "store/restore_journal.h"

#include "base/time_text.h"
#include "state/state_database.h"

namespace lfsw {

void RestoreJournal::record(const std::string& backupId, const BackupRestoreReport& report)
{
    database_.transaction([&] {
        database_
            .prepare(
                "INSERT INTO backup_restore (restored_at, backup_id, damaged) VALUES (?, ?, ?)")
            .bind(1, isoUtcNow())
            .bind(2, backupId)
            .bind(3, static_cast<std::int64_t>(report.damaged.size()))
            .run();
        const auto id = database_.lastInsertId();
        auto insert = database_.prepare(
            "INSERT INTO restored_path (restore_id, part, path, target) VALUES (?, ?, ?, ?)");
        for (const auto& written : report.written)
            insert.bind(1, id)
                .bind(2, written.part)
                .bind(3, written.path)
                .bind(4, written.target)
                .run();
    });
}

std::optional<RestoreJournal::Restore> RestoreJournal::last() const
{
    auto last = database_.prepare(
        "SELECT id, backup_id, restored_at FROM backup_restore ORDER BY id DESC LIMIT 1");
    if (!last.step())
        return std::nullopt;
    Restore restore;
    const auto id = last.integer(0);
    restore.backupId = last.text(1);
    restore.restoredAt = last.text(2);
    auto rows = database_.prepare(
        "SELECT part, path, target FROM restored_path WHERE restore_id = ? ORDER BY rowid");
    rows.bind(1, id);
    while (rows.step()) {
        if (rows.text(1) == StateDatabase::kFileName)
            ++restore.throughSqlite;
        else
            restore.written.push_back({rows.text(0), rows.text(1), rows.text(2)});
    }
    return restore;
}

} // namespace lfsw
