// SPDX-License-Identifier: MIT
#include "services.h"

#include "backup_service.h"
#include "build/build_journal.h"
#include "build/remote_build_control.h"
#include "recovery/alert_dispatcher.h"
#include "recovery/recovery_engine.h"
#include "state/state_database.h"

namespace lfsw {

Services::Services(const Config& config, PluginSource plugins, std::filesystem::path stateDirectory)
    : config_(config), plugins_(std::move(plugins)), stateDirectory_(std::move(stateDirectory)),
      database_(std::make_unique<StateDatabase>(stateDirectory_, true)),
      journal_(std::make_unique<BuildJournal>(*database_)),
      remoteControl_(std::make_unique<RemoteBuildControl>(config_, *journal_, stateDirectory_))
{
}

Services::~Services() = default;

AlertDispatcher& Services::alerts()
{
    if (!alerts_)
        alerts_ =
            std::make_unique<AlertDispatcher>(config_, plugins(), *database_, stateDirectory_);
    return *alerts_;
}

RecoveryEngine& Services::engine()
{
    if (!engine_)
        engine_ = std::make_unique<RecoveryEngine>(config_, plugins(), *database_, alerts(),
                                                   stateDirectory_);
    return *engine_;
}

BackupService& Services::backups()
{
    if (!backups_)
        backups_ = std::make_unique<BackupService>(config_, stateDirectory_,
                                                   [this]() -> Services& { return *this; });
    return *backups_;
}

} // namespace lfsw
