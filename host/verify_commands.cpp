// SPDX-License-Identifier: MIT
// verify build | system | data
#include <iostream>

#include <lfsw/units.h>

#include "backup_access.h"
#include "build/build_tree.h"
#include "checkpoint_access.h"
#include "command.h"
#include "progress_bar.h"
#include "session.h"
#include "store/restore_journal.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int verifyBuild(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifests = tree.store().list();
    if (manifests.empty()) {
        std::cout << "no checkpoint to verify the build tree against\n";
        return kExitFailed;
    }
    const bool thorough = values.count("thorough") > 0;
    ProgressBar bar("verify");
    auto live = CheckpointStore::scan(tree.root(), tree.walkOptions(), thorough, bar.callback());
    auto differences = CheckpointStore::diff(manifests.back(), live, thorough);
    printDifferences(differences);
    std::cout << "build tree " << tree.root().string() << " against checkpoint "
              << manifests.back().name << " (" << manifests.back().id << ")"
              << (thorough ? ", content hashes included" : ", metadata only") << ": "
              << (differences.empty() ? "identical"
                                      : std::to_string(differences.size()) + " differences")
              << "\n";
    return differences.empty() ? kExitOk : kExitFailed;
}

int verifySystem(Session& session, const po::variables_map& values)
{
    if (!values.count("all")) {
        std::cerr
            << "lfs-wrapper: verify system needs --all (every object and manifest of the store)\n";
        return kExitUsage;
    }
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    ProgressBar bar("verify");
    auto problems = tree.store().verify(bar.callback());
    for (const auto& problem : problems) {
        std::cout << "FAIL " << (problem.object.empty() ? "" : problem.object + ": ")
                  << problem.message << "\n";
        for (const auto& user : problem.affected)
            std::cout << "     used by " << user << "\n";
    }
    const auto count = tree.store().list().size();
    std::cout << "store " << tree.store().directory().string() << ": " << count << " checkpoints, "
              << (problems.empty() ? "every object matches its hash"
                                   : std::to_string(problems.size()) + " problems")
              << "\n";
    return problems.empty() ? kExitOk : kExitFailed;
}

int verifyData(Session& session, const po::variables_map& values)
{
    BackupRepository& repository = session.backups().repository();
    if (values.count("restored")) {
        const auto last = RestoreJournal(session.database()).last();
        if (!last) {
            std::cout << "no restore has run (lfs-wrapper backup restore)\n";
            return kExitOk;
        }
        const auto& backupId = last->backupId;
        const auto& when = last->restoredAt;
        const auto& written = last->written;
        const std::size_t skipped = last->throughSqlite;
        auto backup = findBackupOrSay(session.backups(), backupId);
        if (!backup)
            return kExitFailed;
        auto problems = repository.checkRestored(*backup, written);
        std::cout << "restore of backup " << backupId << " at " << when << ": " << written.size()
                  << " paths checked against the backup"
                  << (skipped ? " (the state database is checked by health check --thorough)" : "")
                  << "\n";
        for (const auto& problem : problems)
            std::cout << "  " << problem << "\n";
        std::cout << (problems.empty() ? "OK: what the restore wrote matches its backup\n"
                                       : "FAIL: the restored data differs from its backup\n");
        return problems.empty() ? kExitOk : kExitFailed;
    }
    if (!values.count("all")) {
        std::cerr << "lfs-wrapper: verify data needs --all or --restored\n";
        return kExitUsage;
    }
    auto backup = findBackupOrSay(session.backups(), "latest");
    if (!backup)
        return kExitFailed;
    auto differences = repository.compare(*backup, false);
    std::vector<std::string> corrupt;
    for (const auto& difference : differences) {
        std::cout << difference.status << ": " << difference.path << " (" << difference.type
                  << ")\n";
        if (difference.status == "corrupt" || difference.status == "missing")
            corrupt.push_back(difference.path);
    }
    std::cout << differences.size() << " difference(s) between the critical data and backup "
              << backup->id << "\n";
    if (corrupt.empty())
        return kExitOk;
    std::cout << session.backups().raiseCorruption(*backup, corrupt) << "\n";
    return kExitFailed;
}

} // namespace

void addVerifyCommands(std::vector<Command>& commands)
{
    commands.push_back({"verify build", "[--thorough]",
                        "Compare the live build tree with the latest checkpoint",
                        "Lists every difference; --thorough compares content hashes as well as\n"
                        "metadata. Exit status 1 when the tree differs.",
                        ConfigNeed::Structural,
                        flagOption("thorough", "compare content hashes too"), verifyBuild});
    commands.push_back(
        {"verify system", "--all", "Re-hash every object of the store and check every manifest",
         "Reports each missing or corrupt object with the checkpoints and paths that\n"
         "use it. Exit status 1 when anything is wrong.",
         ConfigNeed::Structural, flagOption("all", "every object and manifest"), verifySystem});
    commands.push_back(
        {"verify data", "--all | --restored",
         "Critical data against the latest backup, or the last restore against its backup",
         "--all: each critical path against the latest backup: missing, corrupt\n"
         "(content changed under the same size and mtime), changed, new. Missing or\n"
         "corrupt paths raise minor_corruption (its chain, repair_from_backup, can\n"
         "restore them) and exit status 1. --restored: what the last backup restore\n"
         "wrote, re-hashed against the backup.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("all", "critical data against the latest backup")(
                 "restored", "the last restore against its backup");
         },
         verifyData});
}

} // namespace lfsw::host
