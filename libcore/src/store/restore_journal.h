// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "store/backup_repository.h"

namespace lfsw {

class StateDatabase;

// The restores of backups, as the state database keeps them: which backup,
// when, and every path written where. `verify data --restored` checks the
// last one against its backup. Every restore is recorded here, whoever made
// it: `backup restore`, and the repairs a recovery chain makes.
class RestoreJournal
{
public:
    explicit RestoreJournal(StateDatabase& database) : database_(database) {}

    struct Restore {
        std::string backupId;
        std::string restoredAt;
        std::vector<RestoredPath> written;
        // Paths restored through SQLite (the state database), written to
        // since: not comparable with the backup.
        std::size_t throughSqlite = 0;
    };

    // Records a restore of `backupId`, in one transaction.
    void record(const std::string& backupId, const BackupRestoreReport& report);
    // The last restore recorded, or nothing.
    std::optional<Restore> last() const;

private:
    StateDatabase& database_;
};

} // namespace lfsw
