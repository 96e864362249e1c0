// SPDX-License-Identifier: MIT
// process stop
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <unistd.h>

#include <lfsw/units.h>

#include "base/process_table.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int processStop(Session& session, const po::variables_map& values)
{
    if (!values.count("resource-heavy")) {
        std::cerr << "lfs-wrapper: process stop needs --resource-heavy (stop the build's "
                     "heaviest processes); to stop the whole build use lfs-wrapper build stop\n";
        return kExitUsage;
    }
    auto run = session.stateDirectoryExists() ? session.journal().latestRun() : std::nullopt;
    if (!run || run->state != "running" ||
        !session.remoteControl().supervisorAlive(run->supervisorPid)) {
        std::cout << "no build is running: no build process to stop\n";
        return kExitOk;
    }
    // CPU use is measured over half a second.
    auto before = ProcessTable::snapshot().buildProcesses(run->supervisorPid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto after = ProcessTable::snapshot().buildProcesses(run->supervisorPid, 0);
    std::map<pid_t, std::uint64_t> ticksBefore;
    for (const auto& p : before)
        ticksBefore[p.pid] = p.cpuTicks;
    const double ticksPerSecond = static_cast<double>(::sysconf(_SC_CLK_TCK));
    struct Load {
        ProcessInfo info;
        double cpuPercent;
    };
    std::vector<Load> loads;
    for (const auto& p : after) {
        if (p.command == "sh" || p.command == "bash" || p.command == "make")
            continue; // shells and make only wait for their children
        double cpu = 0;
        if (ticksBefore.count(p.pid))
            cpu = static_cast<double>(p.cpuTicks - ticksBefore[p.pid]) / ticksPerSecond / 0.5 * 100;
        loads.push_back({p, cpu});
    }
    if (loads.empty()) {
        std::cout << "the build has no process besides shells and make right now\n";
        return kExitOk;
    }
    const auto count = static_cast<std::size_t>(std::max(1, values["count"].as<int>()));
    std::set<pid_t> chosen;
    std::sort(loads.begin(), loads.end(),
              [](const auto& a, const auto& b) { return a.info.rssBytes > b.info.rssBytes; });
    for (std::size_t i = 0; i < std::min(count, loads.size()); ++i)
        chosen.insert(loads[i].info.pid);
    std::sort(loads.begin(), loads.end(),
              [](const auto& a, const auto& b) { return a.cpuPercent > b.cpuPercent; });
    for (std::size_t i = 0; i < std::min(count, loads.size()); ++i)
        chosen.insert(loads[i].info.pid);
    std::vector<pid_t> pids;
    for (const auto& load : loads)
        if (chosen.count(load.info.pid)) {
            std::cout << "stopping pid " << load.info.pid << " (" << load.info.command
                      << "): " << (load.info.rssBytes >> 20) << " MiB resident, " << std::fixed
                      << std::setprecision(0) << load.cpuPercent << "% CPU\n";
            pids.push_back(load.info.pid);
        }
    ProcessTable::terminatePids(pids, *parseDuration(session.config().string("build.stop_grace")));
    std::cout << "stopped " << pids.size() << " process" << (pids.size() == 1 ? "" : "es")
              << "; the step they belonged to fails and its condition's recovery decides what "
                 "happens next\n";
    return kExitOk;
}

} // namespace

void addProcessCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"process stop", "--resource-heavy [--count N]",
         "Stop the build processes using the most memory and CPU",
         "Looks at the running build's processes in /proc, names the ones with the most\n"
         "resident memory and the most CPU over half a second (N of each), and stops them\n"
         "(SIGTERM, then SIGKILL after build.stop_grace).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("resource-heavy", "stop the heaviest processes")(
                 "count", po::value<int>()->default_value(1)->value_name("N"),
                 "how many of each (memory, CPU)");
         },
         processStop});
}

} // namespace lfsw::host
