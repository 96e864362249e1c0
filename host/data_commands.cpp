// SPDX-License-Identifier: MIT
// data analyze --missing
#include <iostream>
#include <map>

#include "backup_access.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int analyzeMissing(Session& session, const po::variables_map& values)
{
    if (!values.count("missing")) {
        std::cerr << "lfs-wrapper: data analyze needs --missing\n";
        return kExitUsage;
    }
    if (!haveBackups(session, "data analyze"))
        return kExitFailed;
    BackupRepository& repository = session.backups().repository();
    auto backup = findBackupOrSay(session.backups(), "latest");
    if (!backup)
        return kExitFailed;
    std::map<std::string, int> perType;
    for (const auto& difference : repository.compare(*backup, true))
        if (difference.status == "missing") {
            std::cout << difference.type << ": " << difference.path << "\n";
            ++perType[difference.type];
        }
    if (perType.empty())
        std::cout << "nothing missing: the live build tree and critical data have every path of "
                     "backup "
                  << backup->id << "\n";
    for (const auto& [type, count] : perType)
        std::cout << count << " path(s) of " << type << " missing; restore them with: lfs-wrapper "
                  << "backup restore " << backup->id << " --selective PATH...\n";
    return kExitOk;
}

} // namespace

void addDataCommands(std::vector<Command>& commands)
{
    commands.push_back({"data analyze", "--missing",
                        "What the latest backup has that the build tree and critical data lack", "",
                        ConfigNeed::Structural,
                        flagOption("missing", "paths of the latest backup missing live"),
                        analyzeMissing});
}

} // namespace lfsw::host
