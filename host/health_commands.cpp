// SPDX-License-Identifier: MIT
// health check
#include <iostream>

#include "health_report.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int healthCheck(Session& session, const po::variables_map& values)
{
    HealthReport report(session.colour(), values.count("json") != 0);
    healthReport(session, values.count("thorough") != 0, report);
    return report.failures() ? kExitFailed : kExitOk;
}
} // namespace

void addHealthCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"health check", "[--thorough] [--json]",
         "Check config, plugins, state, store, resources, processes",
         "One line per check, OK, WARN or FAIL: the config is valid, the plugins load,\n"
         "the state database passes PRAGMA quick_check (integrity_check with\n"
         "--thorough), the store's checkpoints have their objects (every object\n"
         "re-hashed with --thorough), resources against their thresholds, the\n"
         "supervisor and the daemon, and the age of the last checkpoint and backup.\n"
         "Exit status 1 when any check FAILs.",
         ConfigNeed::None,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("thorough", "integrity_check and a full re-hash of the store")(
                 "json", kJsonHelp);
         },
         healthCheck});
}

} // namespace lfsw::host
