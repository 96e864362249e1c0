// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <lfsw/action.h>
#include <lfsw/alert_channel.h>
#include <lfsw/backup_backend.h>
#include <lfsw/condition.h>

namespace lfsw {

// What a plugin's registration function receives. Everything added here is
// checked (no name may be provided twice) and becomes visible only once the
// registration function has returned without throwing.
class Registry
{
public:
    virtual ~Registry() = default;

    virtual void addAction(std::shared_ptr<Action> action) = 0;
    virtual void addCondition(std::shared_ptr<Condition> condition) = 0;
    virtual void addAlertChannel(std::shared_ptr<AlertChannel> channel) = 0;
    virtual void addBackupBackend(std::shared_ptr<BackupBackend> backend) = 0;
};

} // namespace lfsw
