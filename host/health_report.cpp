// SPDX-License-Identifier: MIT
#include "health_report.h"

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include <sys/utsname.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/counted.h"
#include "base/time_text.h"
#include "build/build_tree.h"
#include "daemon.h"
#include "monitor/resource_monitor.h"
#include "session.h"

namespace lfsw::host {

namespace {

std::string ageOf(std::chrono::system_clock::time_point time)
{
    return formatDuration(std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now() - time)) +
           " ago";
}

void checkConfigAndPlugins(Session& session, HealthReport& report)
{
    auto problems = session.configProblems(true);
    if (problems.empty())
        report.ok("config: " + session.configSourceDescription() + " is valid");
    else
        report.fail("config: " + std::to_string(problems.size()) + " problem(s), the first: " +
                    problems.front().format() + " (lfs-wrapper config validate)");
    const auto& plugins = session.plugins();
    const std::string counts = std::to_string(plugins.plugins().size()) + " loaded, " +
                               std::to_string(plugins.refusals().size()) + " refused";
    if (plugins.refusals().empty())
        report.ok("plugins: " + counts);
    else
        report.fail("plugins: " + counts + ": " + plugins.refusals().front());
}

void checkDatabase(Session& session, HealthReport& report, bool thorough)
{
    const auto file = session.stateDirectory() / StateDatabase::kFileName;
    if (!std::filesystem::exists(file)) {
        report.warn("state database: none yet at " + file.string() +
                    " (lfs-wrapper recovery init creates it)");
        return;
    }
    try {
        auto check =
            session.database().prepare(thorough ? "PRAGMA integrity_check" : "PRAGMA quick_check");
        std::string first;
        int problems = 0;
        while (check.step()) {
            if (check.text(0) == "ok")
                continue;
            if (first.empty())
                first = check.text(0);
            ++problems;
        }
        const std::string how = thorough ? "integrity_check" : "quick_check";
        if (problems == 0)
            report.ok("state database: " + file.string() + " (" + how + " ok)");
        else
            report.fail("state database: " + how + " found " + std::to_string(problems) +
                        " problem(s): " + first +
                        " (lfs-wrapper backup restore puts back the latest backup's copy)");
    } catch (const std::exception& e) {
        report.fail("state database: " + std::string(e.what()) +
                    " (lfs-wrapper backup restore puts back the latest backup's copy)");
    }
}

void checkStore(Session& session, HealthReport& report, bool thorough)
{
    if (!std::filesystem::exists(session.stateDirectory() / "store")) {
        report.warn("checkpoints: none yet");
        return;
    }
    try {
        BuildTree tree(session.config(), session.stateDirectory());
        auto& store = tree.store();
        std::vector<std::string> problems;
        if (thorough) {
            for (const auto& problem : store.verify(nullptr))
                problems.push_back(problem.message + (problem.affected.empty()
                                                          ? std::string()
                                                          : " (" + problem.affected.front() + ")"));
        }
        auto manifests = store.list(&problems);
        std::size_t missing = 0;
        if (!thorough)
            for (const auto& manifest : manifests)
                for (const auto& entry : manifest.entries)
                    if (!entry.hash.empty() && !store.hasObject(entry.hash))
                        if (++missing == 1)
                            problems.push_back("checkpoint " + manifest.name + ": object of " +
                                               entry.path + " is missing");
        if (problems.empty())
            report.ok("store: " + counted(manifests.size(), "checkpoint") + " consistent" +
                      (thorough ? ", every object re-hashed" : ""));
        else
            report.fail("store: " + std::to_string(problems.size()) + " problem(s), the first: " +
                        problems.front() + " (lfs-wrapper verify system --all)");
        if (manifests.empty())
            report.warn("last checkpoint: none (checkpoints are taken after each step)");
        else
            report.ok("last checkpoint: " + manifests.back().name + ", taken " +
                      (parseIsoUtc(manifests.back().created)
                           ? ageOf(*parseIsoUtc(manifests.back().created))
                           : manifests.back().created));
    } catch (const std::exception& e) {
        report.fail("store: " + std::string(e.what()));
    }
}

void checkResources(Session& session, HealthReport& report)
{
    if (!session.config().problems().empty()) {
        report.warn("resources: not checked, the config's thresholds are invalid");
        return;
    }
    ResourceMonitor monitor(session.config(), session.stateDirectory());
    monitor.prime();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    monitor.tick();
    for (const auto& reading : monitor.readings()) {
        char figures[64];
        std::snprintf(figures, sizeof figures, "%.1f%% (threshold %.1f%%)", reading.value,
                      reading.threshold);
        const std::string text = reading.resource +
                                 (reading.subject.empty() ? "" : " " + reading.subject) + ": " +
                                 figures + ", " + reading.detail;
        if (reading.value >= reading.threshold)
            report.warn(text);
        else
            report.ok(text);
    }
}

void checkProcesses(Session& session, HealthReport& report)
{
    std::optional<RunRecord> run;
    bool known = true;
    if (session.stateDirectoryExists()) {
        try {
            run = session.journal().latestRun();
        } catch (const std::exception& e) {
            known = false;
            report.fail("supervisor: cannot tell whether a build runs: " + std::string(e.what()));
        }
        if (run && run->state == "running") {
            if (session.remoteControl().supervisorAlive(run->supervisorPid))
                report.ok("supervisor: pid " + std::to_string(run->supervisorPid) + " runs build " +
                          std::to_string(run->id));
            else
                report.fail("supervisor: build " + std::to_string(run->id) +
                            " is marked running but its supervisor (pid " +
                            std::to_string(run->supervisorPid) +
                            ") is gone (lfs-wrapper build analyze-state)");
        } else if (known) {
            report.ok("supervisor: no build running");
        }
    }
    auto daemon = PidLock::holder(session.stateDirectory() / Daemon::kLockFileName);
    if (daemon)
        report.ok("daemon: pid " + std::to_string(*daemon));
    else
        report.warn("daemon: not running (scheduled backups and monitoring outside builds need "
                    "it: lfs-wrapper daemon)");
}

void checkBackups(Session& session, HealthReport& report)
{
    if (!session.config().problems().empty())
        return;
    const auto location = BackupRepository::location(session.config(), session.stateDirectory());
    if (!std::filesystem::exists(location / "manifests")) {
        report.warn("last backup: none in " + location.string() + " (lfs-wrapper backup create)");
        return;
    }
    try {
        BackupRepository repository(session.config(), session.stateDirectory());
        std::vector<std::string> problems;
        auto backups = repository.list(&problems);
        if (!problems.empty())
            report.fail("backups: " + std::to_string(problems.size()) +
                        " unreadable manifest(s), the first: " + problems.front());
        if (backups.empty())
            report.warn("last backup: none in " + location.string() +
                        " (lfs-wrapper backup create)");
        else
            report.ok("last backup: " + backups.back().id + ", taken " +
                      ageOf(backups.back().created) +
                      (backups.back().complete() ? "" : " (incomplete: interrupted)"));
    } catch (const std::exception& e) {
        report.fail("backups: " + std::string(e.what()));
    }
}

} // namespace

int healthReport(Session& session, bool thorough, HealthReport& report)
{
    checkConfigAndPlugins(session, report);
    checkDatabase(session, report, thorough);
    checkStore(session, report, thorough);
    checkBackups(session, report);
    checkResources(session, report);
    checkProcesses(session, report);
    return report.failures();
}

} // namespace lfsw::host
