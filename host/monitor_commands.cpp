// SPDX-License-Identifier: MIT
// monitor resources
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include <lfsw/units.h>

#include "base/time_text.h"
#include "command.h"
#include "monitor/resource_monitor.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

nlohmann::json asJson(const ResourceMonitor& monitor)
{
    nlohmann::json resources = nlohmann::json::array();
    for (const auto& reading : monitor.readings())
        resources.push_back({{"resource", reading.resource},
                             {"subject", reading.subject},
                             {"value", reading.value},
                             {"threshold", reading.threshold},
                             {"exceeded", reading.value >= reading.threshold},
                             {"detail", reading.detail}});
    return {{"taken_at", isoUtc(monitor.lastSample().takenAt)},
            {"resources", resources},
            {"pressure", monitor.lastSample().pressure},
            {"exceeded", monitor.anyOverThreshold()}};
}

void printTable(const ResourceMonitor& monitor, bool colour)
{
    const char* red = colour ? "\033[31m" : "";
    const char* green = colour ? "\033[32m" : "";
    const char* reset = colour ? "\033[0m" : "";
    for (const auto& reading : monitor.readings()) {
        const bool over = reading.value >= reading.threshold;
        char figures[64];
        std::snprintf(figures, sizeof figures, "%6.1f%% of %5.1f%%", reading.value,
                      reading.threshold);
        std::string name =
            reading.resource + (reading.subject.empty() ? "" : " " + reading.subject);
        if (name.size() < 22)
            name.resize(22, ' ');
        std::cout << name << " " << figures << "  " << (over ? red : green)
                  << (over ? "EXCEEDED" : "ok      ") << reset << "  " << reading.detail << "\n";
    }
    for (const auto& [name, value] : monitor.lastSample().pressure) {
        char text[96];
        std::snprintf(text, sizeof text, "pressure %-21s %6.2f%%", name.c_str(), value);
        std::cout << text << "\n";
    }
}

int resources(Session& session, const po::variables_map& values)
{
    const auto& config = session.config();
    ResourceMonitor monitor(config, session.stateDirectory());
    const bool json = values.count("json") != 0;
    // CPU load is a difference of counters: sample twice, a short time apart.
    monitor.prime();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (!values.count("watch")) {
        monitor.tick();
        if (json)
            std::cout << asJson(monitor).dump(2) << "\n";
        else
            printTable(monitor, session.colour());
        return monitor.anyOverThreshold() ? kExitFailed : kExitOk;
    }
    const auto interval = *parseDuration(config.string("monitoring.interval"));
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    const bool terminal = session.colour();
    for (;;) {
        monitor.tick();
        if (json) {
            std::cout << asJson(monitor).dump() << std::endl;
        } else {
            if (terminal)
                std::cout << "\033[H\033[2J";
            std::cout << isoUtc(monitor.lastSample().takenAt) << "\n";
            printTable(monitor, session.colour());
            std::cout << std::flush;
        }
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(interval);
        timespec wait{
            static_cast<time_t>(seconds.count()),
            static_cast<long>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(interval - seconds).count())};
        if (sigtimedwait(&stop, nullptr, &wait) > 0)
            return monitor.anyOverThreshold() ? kExitFailed : kExitOk;
    }
}

} // namespace

void addMonitorCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"monitor resources", "[--watch] [--json]",
         "Show disk, memory and CPU use against their thresholds",
         "Samples disk usage of each filesystem holding the build root, the state\n"
         "directory and the backup repository, memory (MemAvailable, or the build's\n"
         "cgroup) and CPU load, and prints each against monitoring.thresholds, with\n"
         "pressure stall figures where the kernel has them. Exit status 1 when any\n"
         "resource is at or over its threshold, so scripts can test it.\n"
         "--watch repeats at monitoring.interval until Ctrl-C; --json prints JSON\n"
         "(one object per line with --watch).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("watch,w", "repeat at monitoring.interval until Ctrl-C")(
                 "json", "print JSON");
         },
         resources});
}

} // namespace lfsw::host
