// SPDX-License-Identifier: MIT
#include "daemon.h"

#include <algorithm>
#include <csignal>

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <lfsw/units.h>

#include "base/process_table.h"
#include "base/time_text.h"
#include "base/unique_fd.h"
#include "build/build_journal.h"
#include "build/remote_build_control.h"
#include "config/config.h"
#include "monitor/resource_monitor.h"
#include "plugin/config_references.h"
#include "plugin/plugin_registry.h"
#include "recovery/alert_courier.h"
#include "recovery/alert_dispatcher.h"
#include "recovery/recovery_engine.h"
#include "state/state_database.h"

namespace lfsw {

// Everything that depends on one config: replaced as a whole on reload.
struct Daemon::Services {
    Config config;
    StateDatabase database;
    BuildJournal journal;
    AlertDispatcher alerts;
    RecoveryEngine engine;
    RemoteBuildControl remote;
    ResourceMonitor monitor;
    std::chrono::nanoseconds interval;

    Services(Config loaded, const PluginRegistry& registry, const std::filesystem::path& state)
        : config(std::move(loaded)), database(state, true), journal(database),
          alerts(config, registry, database, state),
          engine(config, registry, database, alerts, state), remote(config, journal, state),
          monitor(config, state), interval(*parseDuration(config.string("monitoring.interval")))
    {
    }
};

Daemon::Daemon(ConfigLoader load, const PluginRegistry& registry,
               std::filesystem::path stateDirectory)
    : load_(std::move(load)), registry_(registry), stateDirectory_(std::move(stateDirectory)),
      logger_(makeLogger("daemon")), lock_(stateDirectory_ / kLockFileName)
{
}

Daemon::~Daemon() = default;

bool Daemon::lock(std::string& holder)
{
    return lock_.acquire(holder);
}

void Daemon::addJob(DaemonJob job)
{
    jobs_.push_back(std::move(job));
}

std::vector<Diagnostic> Daemon::problemsOf(const Config& config, const PluginRegistry& registry)
{
    auto problems = config.problems();
    if (problems.empty())
        problems = checkReferences(config, registry);
    return problems;
}

std::unique_ptr<Daemon::Services> Daemon::start(Config config)
{
    auto services = std::make_unique<Services>(std::move(config), registry_, stateDirectory_);
    services->monitor.prime();
    return services;
}

int Daemon::run()
{
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, signal);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    UniqueFd signalFd(::signalfd(-1, &signals, SFD_CLOEXEC));

    auto services = start(load_());
    const int resumed = services->alerts.courier().resumePending(services->database);
    LFSW_LOG(logger_, Info)
        << "daemon started (pid " << ::getpid() << ", config " << services->config.sourceName()
        << ", sampling every "
        << formatDuration(std::chrono::duration_cast<std::chrono::seconds>(services->interval))
        << ")" << (resumed ? ", resending " + std::to_string(resumed) + " pending alerts" : "");
    auto next = std::chrono::steady_clock::now() + services->interval;
    for (;;) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            next - std::chrono::steady_clock::now());
        pollfd descriptor{signalFd.get(), POLLIN, 0};
        const int ready =
            ::poll(&descriptor, 1, static_cast<int>(std::max<std::int64_t>(0, wait.count())));
        if (ready > 0) {
            signalfd_siginfo info{};
            if (::read(signalFd.get(), &info, sizeof info) != sizeof info)
                continue;
            if (info.ssi_signo == SIGHUP) {
                Config candidate = load_();
                auto problems = problemsOf(candidate, registry_);
                if (!problems.empty()) {
                    for (const auto& problem : problems)
                        LFSW_LOG(logger_, Error) << problem.format();
                    LFSW_LOG(logger_, Error) << "SIGHUP: the new config has " << problems.size()
                                             << " problem(s); keeping the running one";
                    continue;
                }
                services.reset(); // its courier delivers what it has queued first
                services = start(std::move(candidate));
                LFSW_LOG(logger_, Info)
                    << "SIGHUP: config reloaded from " << services->config.sourceName();
                continue;
            }
            LFSW_LOG(logger_, Info) << "received " << sigabbrev_np(static_cast<int>(info.ssi_signo))
                                    << ": daemon stopping";
            break;
        }
        next = std::chrono::steady_clock::now() + services->interval;
        try {
            tick(*services);
            runJobs(*services);
        } catch (const std::exception& e) {
            LFSW_LOG(logger_, Error) << e.what();
        }
    }
    return 0;
}

void Daemon::tick(Services& services)
{
    auto events = services.monitor.tick();
    services.monitor.record(services.database);
    if (events.empty())
        return;
    auto run = services.journal.latestRun();
    const bool building = services.remote.buildRunning();
    for (auto& event : events) {
        LFSW_LOG(logger_, Warning) << event.evidence["summary"];
        if (building) {
            LFSW_LOG(logger_, Info)
                << "the supervisor (pid " << run->supervisorPid << ") handles it for its build";
            continue;
        }
        if (!ResourceMonitor::exhausts(event)) {
            // Load is not an exhausted resource: nothing a chain frees or
            // adjusts brings it down, and another job may cause it.
            services.engine.notify(event, event.evidence["summary"] + "; no recovery runs for it",
                                   "over its threshold, no recovery runs", LogLevel::Warning);
            continue;
        }
        if (services.config.recoversAutomatically(event.condition, event.failureClass)) {
            auto outcome = services.engine.run(event, services.remote);
            LFSW_LOG(logger_, Info)
                << "recovery chain " << outcome.chainKey << ": " << outcome.message;
        } else {
            services.engine.notify(event, event.evidence["summary"] +
                                              "; no automatic recovery is configured for it");
        }
    }
}

void Daemon::runJobs(Services& services)
{
    const auto now = std::chrono::system_clock::now();
    for (const auto& job : jobs_) {
        auto row = services.database.prepare("SELECT last_run_at FROM daemon_job WHERE name = ?");
        row.bind(1, job.name);
        std::optional<std::chrono::system_clock::time_point> last;
        if (row.step())
            last = parseIsoUtc(row.text(0));
        if (!last) {
            // Never ran: count from now, so the first run is the next scheduled one.
            services.database
                .prepare("INSERT OR REPLACE INTO daemon_job (name, last_run_at) VALUES (?, ?)")
                .bind(1, job.name)
                .bind(2, isoUtc(now))
                .run();
            continue;
        }
        auto due = job.due(services.config, *last);
        if (!due || *due > now)
            continue;
        LFSW_LOG(logger_, Info) << "running " << job.name << " (due " << isoUtc(*due) << ")";
        std::string result = "done";
        try {
            job.run(services.config);
        } catch (const std::exception& e) {
            result = e.what();
            LFSW_LOG(logger_, Error) << job.name << " failed: " << e.what();
        }
        services.database
            .prepare("INSERT OR REPLACE INTO daemon_job (name, last_run_at, result) "
                     "VALUES (?, ?, ?)")
            .bind(1, job.name)
            .bind(2, isoUtc(now))
            .bind(3, result)
            .run();
    }
}

} // namespace lfsw
