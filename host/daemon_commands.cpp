// SPDX-License-Identifier: MIT
// daemon
#include <iostream>

#include "command.h"
#include "daemon.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int daemon(Session& session, const po::variables_map&)
{
    session.createStateDirectory();
    Daemon daemon([&session] { return session.reloadConfig(); }, session.plugins(),
                  session.stateDirectory());
    if (auto locked = daemon.lock(); !locked) {
        std::cerr << "lfs-wrapper: daemon: another daemon (pid " << locked.error()
                  << ") serves the state directory " << session.stateDirectory().string() << "\n";
        return kExitFailed;
    }
    addBackupJobs(daemon);
    return daemon.run();
}

} // namespace

void addDaemonCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"daemon", "", "Watch resources, run scheduled backups and deliver alerts (foreground)",
         "Runs in the foreground until SIGTERM or SIGINT (a systemd unit is in\n"
         "examples/systemd/). Samples resources at monitoring.interval and, outside a\n"
         "build, runs the recovery chain of resource_exhaustion or sends an alert; a\n"
         "running supervisor watches its own build. Runs the backups backup.schedule\n"
         "names (one missed while the daemon was down runs once when it starts) and\n"
         "delivers alerts other commands left pending. SIGHUP re-reads the config: an\n"
         "invalid one is refused, its problems logged, and the running one kept.\n"
         "One daemon per state directory.",
         ConfigNeed::Full, nullptr, daemon});
}

} // namespace lfsw::host
