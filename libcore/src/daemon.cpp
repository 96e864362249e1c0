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
#include "build/metrics_publisher.h"
#include "monitor/resource_monitor.h"
#include "plugin/config_references.h"
#include "plugin/plugin_registry.h"
#include "recovery/alert_courier.h"
#include "recovery/alert_dispatcher.h"
#include "recovery/recovery_engine.h"
#include "services.h"
#include "state/state_database.h"

namespace lfsw {

// Everything that depends on one config: replaced as a whole on reload.
struct Daemon::Running {
    Config config;
    Services services;
    ResourceMonitor monitor;
    MetricsPublisher metrics;
    std::chrono::nanoseconds interval;

    Running(Config loaded, const PluginRegistry& registry, const std::filesystem::path& state)
        : config(std::move(loaded)),
          services(
              config, [&registry]() -> const PluginRegistry& { return registry; }, state),
          monitor(config, state), metrics(config, state),
          interval(*parseDuration(config.string("monitoring.interval")))
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

Expected<void> Daemon::lock()
{
    return lock_.acquire();
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

std::unique_ptr<Daemon::Running> Daemon::start(Config config)
{
    auto running = std::make_unique<Running>(std::move(config), registry_, stateDirectory_);
    running->monitor.prime();
    running->metrics.start();
    return running;
}

int Daemon::run()
{
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, signal);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    UniqueFd signalFd(::signalfd(-1, &signals, SFD_CLOEXEC));

    std::unique_ptr<Running> running;
    try {
        running = start(load_());
    } catch (const std::exception& e) {
        // Told to serve metrics and cannot: better not to run than to run
        // unwatched.
        LFSW_LOG(logger_, Error) << e.what() << "; the daemon does not start";
        return 1;
    }
    const int resumed =
        running->services.alerts().courier().resumePending(running->services.database());
    LFSW_LOG(logger_, Info)
        << "daemon started (pid " << ::getpid() << ", config " << running->config.sourceName()
        << ", sampling every "
        << formatDuration(std::chrono::duration_cast<std::chrono::seconds>(running->interval))
        << ")" << (resumed ? ", resending " + std::to_string(resumed) + " pending alerts" : "");
    auto next = std::chrono::steady_clock::now() + running->interval;
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
                running.reset(); // its courier delivers what it has queued first
                try {
                    running = start(std::move(candidate));
                } catch (const std::exception& e) {
                    LFSW_LOG(logger_, Error) << "SIGHUP: " << e.what() << "; the daemon stops";
                    return 1;
                }
                LFSW_LOG(logger_, Info)
                    << "SIGHUP: config reloaded from " << running->config.sourceName();
                continue;
            }
            LFSW_LOG(logger_, Info) << "received " << sigabbrev_np(static_cast<int>(info.ssi_signo))
                                    << ": daemon stopping";
            break;
        }
        next = std::chrono::steady_clock::now() + running->interval;
        try {
            tick(*running);
            runJobs(*running);
        } catch (const std::exception& e) {
            LFSW_LOG(logger_, Error) << e.what();
        }
    }
    return 0;
}

void Daemon::tick(Running& running)
{
    Services& services = running.services;
    auto events = running.monitor.tick();
    running.monitor.record(services.database());
    running.metrics.publish(services.database());
    if (events.empty())
        return;
    auto run = services.journal().latestRun();
    const bool building = services.remoteControl().buildRunning();
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
            services.engine().notify(event, event.evidence["summary"] + "; no recovery runs for it",
                                     "over its threshold, no recovery runs", LogLevel::Warning);
            continue;
        }
        if (running.config.recoversAutomatically(event.condition, event.failureClass)) {
            auto outcome = services.engine().run(event, services.remoteControl());
            LFSW_LOG(logger_, Info)
                << "recovery chain " << outcome.chainKey << ": " << outcome.message;
        } else {
            services.engine().notify(event, event.evidence["summary"] +
                                                "; no automatic recovery is configured for it");
        }
    }
}

void Daemon::runJobs(Running& running)
{
    Services& services = running.services;
    const auto now = std::chrono::system_clock::now();
    for (const auto& job : jobs_) {
        auto row = services.database().prepare("SELECT last_run_at FROM daemon_job WHERE name = ?");
        row.bind(1, job.name);
        std::optional<std::chrono::system_clock::time_point> last;
        if (row.step())
            last = parseIsoUtc(row.text(0));
        if (!last) {
            // Never ran: count from now, so the first run is the next scheduled one.
            services.database()
                .prepare("INSERT OR REPLACE INTO daemon_job (name, last_run_at) VALUES (?, ?)")
                .bind(1, job.name)
                .bind(2, isoUtc(now))
                .run();
            continue;
        }
        auto due = job.due(running.config, *last);
        if (!due || *due > now)
            continue;
        LFSW_LOG(logger_, Info) << "running " << job.name << " (due " << isoUtc(*due) << ")";
        // Recorded before it runs, as systemd records a timer's trigger: a
        // record that fails afterwards (the database busy) cannot make the
        // next tick run the job a second time.
        services.database()
            .prepare("INSERT OR REPLACE INTO daemon_job (name, last_run_at, result) "
                     "VALUES (?, ?, 'running')")
            .bind(1, job.name)
            .bind(2, isoUtc(now))
            .run();
        std::string result = "done";
        try {
            job.run(services);
        } catch (const std::exception& e) {
            result = e.what();
            LFSW_LOG(logger_, Error) << job.name << " failed: " << e.what();
        }
        services.database()
            .prepare("UPDATE daemon_job SET result = ? WHERE name = ?")
            .bind(1, result)
            .bind(2, job.name)
            .run();
    }
}

} // namespace lfsw
