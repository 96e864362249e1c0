// SPDX-License-Identifier: MIT
#include "backup_service.h"

#include <algorithm>
#include <stdexcept>

#include <lfsw/units.h>

#include "base/pid_lock.h"
#include "base/time_text.h"
#include "build/metrics_publisher.h"
#include "build/remote_build_control.h"
#include "build/supervisor.h"
#include "config/config.h"
#include "daemon.h"
#include "plugin/host_context.h"
#include "plugin/plugin_registry.h"
#include "recovery/recovery_engine.h"
#include "services.h"
#include "state/state_database.h"
#include "store/restore_journal.h"

namespace lfsw {

namespace {

std::string joined(const std::vector<std::string>& items, const char* separator)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : separator) + item;
    return text;
}

std::chrono::seconds retention(const Config& config)
{
    return std::chrono::duration_cast<std::chrono::seconds>(
        *parseDuration(config.string("backup.retention")));
}

} // namespace

// The plugin backend with the context its calls see.
struct BackupService::PluginState {
    PluginState(const Config& config, Services& services, std::shared_ptr<BackupBackend> found)
        : backend(std::move(found)),
          context(config, event, Params(), 0, services.stateDirectory(), services.remoteControl(),
                  "backup." + config.string("backup.backend"))
    {
    }

    std::shared_ptr<BackupBackend> backend;
    Event event;
    HostContext context;
};

BackupService::BackupService(const Config& config, std::filesystem::path stateDirectory,
                             std::function<Services&()> services)
    : config_(config), stateDirectory_(std::move(stateDirectory)), services_(std::move(services)),
      logger_(makeLogger("backup"))
{
}

BackupService::~BackupService() = default;

std::optional<BackupService::Plugin> BackupService::plugin()
{
    const auto name = config_.string("backup.backend");
    if (name == "local")
        return std::nullopt;
    if (!plugin_) {
        Services& services = services_();
        auto backend = services.plugins().backupBackend(name);
        if (!backend)
            throw std::runtime_error("backup.backend is '" + name +
                                     "' but no loaded plugin provides that backup backend");
        plugin_ = std::make_unique<PluginState>(config_, services, std::move(backend));
    }
    return Plugin{*plugin_->backend, plugin_->context};
}

BackupRepository& BackupService::repository()
{
    if (!repository_)
        repository_ = std::make_unique<BackupRepository>(config_, stateDirectory_);
    return *repository_;
}

std::filesystem::path BackupService::localLocation() const
{
    return BackupRepository::location(config_, stateDirectory_);
}

bool BackupService::hasLocalBackups() const
{
    return std::filesystem::is_directory(localLocation() / "manifests");
}

BackupService::Created BackupService::create(const std::vector<std::string>& types,
                                             const ProgressCallback& progress)
{
    auto wants = [&types](const char* type) {
        return std::find(types.begin(), types.end(), type) != types.end();
    };
    Taken taken{config_.string("backup.backend"), joined(types, ","), isoUtcNow()};
    if (auto plugin = this->plugin()) {
        // The paths a backup of `types` holds, staged as the local
        // repository stages them (the state database through SQLite's
        // backup API, the config, the plan, single critical files).
        std::vector<std::string> paths;
        for (const auto& source : BackupRepository::stageSources(
                 config_, types, services_().database(), stateDirectory_ / "backup-staging"))
            paths.push_back(source.root.string());
        Created created{plugin->backend.create(paths, types, plugin->context), {}};
        record(taken, created.result, std::nullopt);
        return created;
    }
    Created created{Result::done(), {}};
    if (wants("critical-data") && config_.list("backup.critical_data").empty())
        created.warnings.push_back("critical-data is asked for, but backup.critical_data names no "
                                   "path: this backup holds no critical data");
    if (wants("system-state") && !std::filesystem::is_directory(config_.buildRoot())) {
        created.result =
            Result::failed("backup create: the build root " + config_.buildRoot().string() +
                           " does not exist: there is no system-state to back up");
        record(taken, created.result, std::nullopt);
        return created;
    }
    Backup backup;
    try {
        backup = repository().create(types, services_().database(), progress);
    } catch (const std::exception& e) {
        record(taken, Result::failed(e.what()), std::nullopt);
        throw;
    }
    created.result =
        Result::done("backup " + backup.id + ": " + joined(backup.types(), ", ") + "; " +
                     std::to_string(backup.files()) + " paths, " + formatBytes(backup.bytes()) +
                     ", " + formatBytes(backup.newBytes()) + " new to the repository (compressed)");
    record(taken, created.result, std::make_pair(backup.bytes(), backup.newBytes()));
    return created;
}

void BackupService::record(const Taken& taken, const Result& result,
                           std::optional<std::pair<std::uint64_t, std::uint64_t>> sizes)
{
    // A command that failed before anything was made leaves no state
    // directory behind to record it in.
    std::error_code ignored;
    if (!std::filesystem::is_directory(stateDirectory_, ignored))
        return;
    // A backup that cannot be recorded is still taken: say so, do not undo it.
    try {
        auto& database = services_().database();
        auto insert = database.prepare(
            "INSERT INTO backup_run (backend, types, started_at, ended_at, result, bytes,"
            " new_bytes, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, taken.backend)
            .bind(2, taken.types)
            .bind(3, taken.startedAt)
            .bind(4, isoUtcNow())
            .bind(5, std::string(result.ok() ? "done" : "failed"));
        if (sizes)
            insert.bind(6, static_cast<std::int64_t>(sizes->first))
                .bind(7, static_cast<std::int64_t>(sizes->second));
        insert.bind(8, result.message()).run();
        MetricsPublisher(config_, stateDirectory_).publish(database);
    } catch (const std::exception& e) {
        LFSW_LOG(logger_, Warning)
            << "the backup is not recorded in the state database: " << e.what();
    }
}

Result BackupService::prune()
{
    if (auto plugin = this->plugin())
        return plugin->backend.prune(retention(config_), plugin->context);
    auto [removed, freed] = repository().prune(std::chrono::system_clock::now());
    std::string message;
    for (const auto& id : removed)
        message += "removed backup " + id + "\n";
    message += "kept " + std::to_string(repository().list().size()) +
               " backups (backup.retention " + config_.string("backup.retention") +
               ", and always the newest); freed " + formatBytes(freed);
    return Result::done(message);
}

Result BackupService::createAndPrune()
{
    const auto types = config_.list("backup.types");
    auto created = create(types, nullptr);
    if (!created.result.ok())
        return created.result;
    auto pruned = prune();
    if (!pruned.ok())
        return Result::failed(created.result.message() + "; prune failed: " + pruned.message());
    return Result::done(created.result.message() + "; " + pruned.message());
}

std::optional<Backup> BackupService::find(const std::string& selector,
                                          std::vector<std::string>* problems)
{
    return repository().find(selector, problems);
}

std::string BackupService::noSuchBackup(const std::string& selector) const
{
    return "no backup '" + selector + "' in " + localLocation().string() +
           (selector == "latest" ? " (lfs-wrapper backup create makes one)"
                                 : " (see lfs-wrapper backup list)");
}

std::string BackupService::noBackups(const std::string& command) const
{
    return command + ": no backups in " + localLocation().string() +
           " (lfs-wrapper backup create takes one)";
}

BackupService::Restored BackupService::restoreThroughPlugin(const RestoreRequest& request)
{
    auto plugin = this->plugin();
    std::vector<std::string> include;
    for (const auto& text : request.selective) {
        std::filesystem::path path(text);
        include.push_back((path.is_absolute() ? path : config_.buildRoot() / path).string());
    }
    const std::string target =
        request.to ? std::filesystem::absolute(*request.to).string() : std::string("/");
    auto result = plugin->backend.restore(request.selector, include, target, plugin->context);
    Restored restored;
    restored.ok = result.ok();
    (restored.ok ? restored.said : restored.errors).push_back(result.message());
    return restored;
}

BackupService::Restored BackupService::restore(const RestoreRequest& request,
                                               const ProgressCallback& progress)
{
    if (plugin())
        return restoreThroughPlugin(request);
    Restored restored;
    if (!hasLocalBackups()) {
        restored.errors.push_back(noBackups("backup restore"));
        return restored;
    }
    // An unreadable manifest (edited, truncated, or holding a path that
    // escapes the tree) may be a part of the backup asked for: refuse rather
    // than restore half of it.
    std::vector<std::string> problems;
    auto backup = find(request.selector, &problems);
    if (!problems.empty()) {
        for (const auto& problem : problems)
            restored.errors.push_back("unreadable manifest: " + problem);
        restored.errors.push_back(
            "backup restore: refused, nothing restored: a backup may be missing the parts "
            "these manifests hold (lfs-wrapper backup verify --all)");
        return restored;
    }
    if (!backup) {
        restored.errors.push_back(noSuchBackup(request.selector));
        return restored;
    }
    // A state database too damaged to open cannot take a restore through
    // SQLite: the backup's copy replaces the file, once nothing uses it.
    // Restored --to a directory, the live state is not touched.
    const bool intoState = !request.to && std::filesystem::is_directory(stateDirectory_);
    std::optional<std::string> unreadable;
    if (intoState)
        unreadable = StateDatabase::problem(stateDirectory_);
    if (unreadable) {
        for (const char* lock : {Supervisor::kLockFileName, Daemon::kLockFileName})
            if (auto pid = PidLock::holder(stateDirectory_ / lock)) {
                restored.errors.push_back(
                    "backup restore: the state database is damaged (" + *unreadable +
                    ") and process " + std::to_string(*pid) +
                    " uses it; stop it first (lfs-wrapper system stop --all)");
                return restored;
            }
        restored.said.push_back("the state database cannot be used (" + *unreadable +
                                "): it is replaced by the backup's copy");
    } else if (intoState && services_().remoteControl().buildRunning()) {
        restored.errors.push_back("backup restore: a build is running; stop it first "
                                  "(lfs-wrapper build stop) or restore --to a directory");
        return restored;
    }
    if (!backup->complete())
        restored.said.push_back("backup " + backup->id + " is incomplete (" +
                                std::to_string(backup->parts.size()) + " of " +
                                std::to_string(backup->expectedParts) +
                                " parts: its creation was interrupted); restoring what it has");
    // Through the damaged database nothing is journaled until the backup's
    // copy is in place: then it is opened afresh.
    StateDatabase* database = unreadable ? nullptr : &services_().database();
    auto report = repository().restore(*backup, request.selective, request.to, database, progress);
    RestoreJournal(database ? *database : services_().database()).record(backup->id, report);
    restored.said.insert(restored.said.end(), report.notes.begin(), report.notes.end());
    restored.said.push_back("restored " + std::to_string(report.written.size()) +
                            " paths from backup " + backup->id);
    for (const auto& path : report.damaged)
        restored.said.push_back("NOT restored (object missing or corrupt): " + path);
    for (const auto& mount : report.mountPoints)
        restored.errors.push_back("backup restore: left alone the mount point " + mount +
                                  " and what is on it; unmount it, then restore again");
    if (report.written.empty() && !request.selective.empty()) {
        restored.errors.push_back("backup restore: no path of backup " + backup->id +
                                  " matches --selective " + joined(request.selective, " ") +
                                  " (see lfs-wrapper data analyze --missing for what it holds)");
        return restored;
    }
    restored.ok = report.damaged.empty() && report.mountPoints.empty();
    return restored;
}

std::string BackupService::raiseCorruption(const Backup& backup,
                                           const std::vector<std::string>& paths)
{
    // Content changed under an unchanged size and mtime, or gone: damage, not
    // an edit. minor_corruption's chain (repair_from_backup) may repair it.
    Event event;
    event.condition = "minor_corruption";
    event.evidence["backup"] = backup.id;
    event.evidence["paths"] = joined(paths, "\n");
    event.evidence["summary"] = std::to_string(paths.size()) +
                                " critical path(s) missing or corrupt against backup " + backup.id;
    Services& services = services_();
    if (!config_.recoversAutomatically(event.condition, event.failureClass)) {
        services.engine().notify(event, event.evidence["summary"]);
        return "minor_corruption raised; alerted (no automatic recovery is configured for it)";
    }
    auto outcome = services.engine().run(event, services.remoteControl());
    return "minor_corruption raised; recovery chain " + outcome.chainKey + ": " +
           (outcome.status == RecoveryOutcome::Status::Recovered ? "recovered" : outcome.message);
}

} // namespace lfsw
