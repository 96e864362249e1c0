// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backup_service.h"

namespace lfsw::host {

class Session;

// What the commands that read backups share (backup, data, verify data).

// The backup, or nothing and a message saying there is none (unless the
// backup's manifests are unreadable: those go to `problems`).
std::optional<Backup> findBackupOrSay(BackupService& backups, const std::string& selector,
                                      std::vector<std::string>* problems = nullptr);
// Whether the local repository holds backups; when not, says so: a command
// that reads backups says there are none before it creates the repository
// or the state directory, so that a failed command leaves nothing behind.
bool haveBackups(Session& session, const char* command);

} // namespace lfsw::host
