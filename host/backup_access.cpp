// SPDX-License-Identifier: MIT
#include "backup_access.h"

#include <iostream>

#include "session.h"

namespace lfsw::host {

std::optional<Backup> findBackupOrSay(BackupService& backups, const std::string& selector,
                                      std::vector<std::string>* problems)
{
    auto backup = backups.find(selector, problems);
    if (!backup && (!problems || problems->empty()))
        std::cerr << "lfs-wrapper: " << backups.noSuchBackup(selector) << "\n";
    return backup;
}

bool haveBackups(Session& session, const char* command)
{
    if (session.backups().hasLocalBackups())
        return true;
    std::cerr << "lfs-wrapper: " << session.backups().noBackups(command) << "\n";
    return false;
}

} // namespace lfsw::host
