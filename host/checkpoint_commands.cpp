// SPDX-License-Identifier: MIT
// checkpoint create | list | show | diff | restore | delete | gc,
// verify build | system, build restore, build system, clean build,
// system restore-base | restore
#include <iomanip>
#include <iostream>

#include <unistd.h>

#include <lfsw/units.h>

#include "base/suggest.h"
#include "build/build_tree.h"
#include "build/reclaimer.h"
#include "command.h"
#include "progress_bar.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

// Commands that read the store say so plainly when there is no state yet,
// instead of creating it.
bool haveStore(Session& session)
{
    if (std::filesystem::is_directory(session.stateDirectory() / "store"))
        return true;
    std::cerr << "lfs-wrapper: no checkpoints yet ("
              << (session.stateDirectory() / "store").string()
              << " does not exist); take one with lfs-wrapper checkpoint create NAME\n";
    return false;
}

int refuseWhileRunning(const std::string& command)
{
    std::cerr << "lfs-wrapper: " << command
              << ": a build is running; stop it first (lfs-wrapper build stop)\n";
    return kExitFailed;
}

std::optional<Manifest> findOrSay(BuildTree& tree, const std::string& selector)
{
    auto manifest = tree.store().find(selector);
    if (!manifest) {
        // A manifest that cannot be read may be the one asked for: say why.
        std::vector<std::string> problems;
        tree.store().list(&problems);
        for (const auto& problem : problems)
            std::cerr << "error: " << problem << "\n";
        std::vector<std::string> names;
        for (const auto& header : tree.store().headers())
            names.push_back(header.name);
        std::cerr << "lfs-wrapper: no checkpoint '" << selector << "'"
                  << didYouMean(selector, names) << " (see lfs-wrapper checkpoint list)\n";
    }
    return manifest;
}

// Restores `selector` into the configured root, with the checks every
// restoring command shares.
int restoreTree(Session& session, BuildTree& tree, const std::string& selector,
                const std::string& command, std::optional<Manifest>& restored)
{
    if (session.buildRunning())
        return refuseWhileRunning(command);
    auto manifest = findOrSay(tree, selector);
    if (!manifest)
        return kExitFailed;
    const auto configured = tree.root().lexically_normal();
    if (std::filesystem::path(manifest->root).lexically_normal() != configured) {
        std::cerr << "lfs-wrapper: " << command << ": checkpoint " << manifest->name
                  << " was taken of " << manifest->root << ", not of the configured build root "
                  << configured.string() << "; refusing to restore it there\n";
        return kExitFailed;
    }
    ProgressBar bar("restore " + manifest->name);
    auto report = tree.store().restore(*manifest, configured, tree.walkOptions(), bar.callback());
    std::cout << "restored " << manifest->name << " (" << manifest->id << ") into "
              << configured.string() << ": " << report.rewritten << " written, " << report.removed
              << " removed, " << report.metadataFixed << " metadata fixed, " << report.unchanged
              << " unchanged\n";
    if (!report.mountPoints.empty()) {
        std::cerr << "lfs-wrapper: " << command << ": "
                  << tree.describeMountPoints(report.mountPoints) << "\n";
        return kExitFailed;
    }
    restored = std::move(manifest);
    return kExitOk;
}

int create(Session& session, const po::variables_map& values)
{
    if (!std::filesystem::is_directory(session.config().buildRoot())) {
        std::cerr << "lfs-wrapper: checkpoint create: the build root "
                  << session.config().buildRoot().string() << " does not exist\n";
        return kExitFailed;
    }
    session.createStateDirectory();
    BuildTree tree(session.config(), session.stateDirectory());
    if (session.buildRunning())
        std::cerr << "warning: a build is running: the checkpoint may catch a step half-way\n";
    std::vector<std::string> tags;
    if (values.count("tag"))
        tags = values["tag"].as<std::vector<std::string>>();
    const std::string name = values["name"].as<std::string>();
    ProgressBar bar("checkpoint " + name);
    auto manifest = tree.store().create(name, tree.root(), tree.walkOptions(),
                                        values.count("good") > 0, tags, bar.callback());
    std::cout << "checkpoint " << manifest.name << " (" << manifest.id
              << "): " << manifest.entries.size() << " paths, "
              << formatBytes(manifest.totalBytes()) << ", " << formatBytes(manifest.newBytes)
              << " new to the store\n";
    return kExitOk;
}

int list(Session& session, const po::variables_map& values)
{
    const bool json = values.count("json") != 0;
    if (!std::filesystem::is_directory(session.stateDirectory() / "store")) {
        if (json)
            printJson(nlohmann::json::array());
        else
            std::cout << "no checkpoints\n";
        return kExitOk;
    }
    BuildTree tree(session.config(), session.stateDirectory());
    std::vector<std::string> problems;
    auto manifests = tree.store().list(&problems);
    auto lastGood = tree.store().find("last-good");
    if (json) {
        nlohmann::json listed = nlohmann::json::array();
        for (const auto& m : manifests) {
            std::size_t files = 0;
            for (const auto& e : m.entries)
                files += e.type == 'f';
            listed.push_back({{"id", m.id},
                              {"name", m.name},
                              {"created", m.created},
                              {"root", m.root},
                              {"paths", m.entries.size()},
                              {"files", files},
                              {"bytes", m.totalBytes()},
                              {"new_bytes", m.newBytes},
                              {"tags", m.tags},
                              {"good", m.good},
                              {"last_good", lastGood && lastGood->id == m.id}});
        }
        printJson(listed);
        for (const auto& problem : problems)
            std::cerr << "error: " << problem << "\n";
        return problems.empty() ? kExitOk : kExitFailed;
    }
    std::cout << std::left << std::setw(8) << "ID" << std::setw(22) << "NAME" << std::setw(26)
              << "CREATED" << std::setw(8) << "FILES" << std::setw(12) << "BYTES" << std::setw(12)
              << "NEW"
              << "TAGS\n";
    for (const auto& m : manifests) {
        std::string tags;
        if (lastGood && lastGood->id == m.id)
            tags = "last-good";
        for (const auto& tag : m.tags)
            tags += (tags.empty() ? "" : ",") + tag;
        if (m.good && tags.find("last-good") == std::string::npos)
            tags += (tags.empty() ? "" : ",") + std::string("good");
        std::size_t files = 0;
        for (const auto& e : m.entries)
            files += e.type == 'f';
        std::cout << std::left << std::setw(8) << m.id << std::setw(22) << m.name << std::setw(26)
                  << m.created << std::setw(8) << files << std::setw(12)
                  << formatBytes(m.totalBytes()) << std::setw(12) << formatBytes(m.newBytes) << tags
                  << "\n";
    }
    for (const auto& problem : problems)
        std::cerr << "error: " << problem << "\n";
    return problems.empty() ? kExitOk : kExitFailed;
}

int show(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifest = findOrSay(tree, values["name"].as<std::string>());
    if (!manifest)
        return kExitFailed;
    std::cout << "checkpoint " << manifest->name << " (" << manifest->id << ")\n"
              << "  created: " << manifest->created << "\n  root:    " << manifest->root
              << "\n  good:    " << (manifest->good ? "yes (taken after a successful step)" : "no")
              << "\n  parent:  " << (manifest->parent.empty() ? "-" : manifest->parent)
              << "\n  paths:   " << manifest->entries.size() << ", "
              << formatBytes(manifest->totalBytes()) << "\n\n";
    for (const auto& e : manifest->entries) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
        std::cout << e.type << " " << mode << " " << e.uid << ":" << e.gid << " " << std::setw(10)
                  << std::right << e.size << std::left << " " << e.path;
        if (e.type == 'l')
            std::cout << " -> " << e.target;
        if (!e.linkGroup.empty())
            std::cout << " (hardlink of " << e.linkGroup << ")";
        std::cout << "\n";
    }
    return kExitOk;
}

void printDifferences(const std::vector<TreeDifference>& differences)
{
    for (const auto& d : differences)
        std::cout << d.kind << " " << d.path << (d.what.empty() ? "" : " (" + d.what + ")") << "\n";
}

int diff(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto from = findOrSay(tree, values["from"].as<std::string>());
    if (!from)
        return kExitFailed;
    Manifest to;
    if (values.count("live")) {
        ProgressBar bar("scan");
        to = CheckpointStore::scan(tree.root(), tree.walkOptions(), values.count("thorough") > 0,
                                   bar.callback());
    } else if (values.count("to")) {
        auto other = findOrSay(tree, values["to"].as<std::string>());
        if (!other)
            return kExitFailed;
        to = *other;
    } else {
        std::cerr << "lfs-wrapper: checkpoint diff needs a second checkpoint or --live\n";
        return kExitUsage;
    }
    auto differences =
        CheckpointStore::diff(*from, to, !values.count("live") || values.count("thorough"));
    printDifferences(differences);
    std::cout << differences.size() << " difference" << (differences.size() == 1 ? "" : "s")
              << "\n";
    return kExitOk;
}

int rewind(Session& session, const std::string& selector, const std::string& command);

int restore(Session& session, const po::variables_map& values)
{
    return rewind(session, values["name"].as<std::string>(), "checkpoint restore");
}

int remove(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifest = findOrSay(tree, values["name"].as<std::string>());
    if (!manifest)
        return kExitFailed;
    tree.store().remove(*manifest);
    std::cout << "deleted checkpoint " << manifest->name << " (" << manifest->id
              << "); lfs-wrapper checkpoint gc frees the objects only it used\n";
    return kExitOk;
}

int gc(Session& session, const po::variables_map&)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    ProgressBar bar("gc");
    auto freed = tree.store().gc(bar.callback());
    std::cout << "gc: freed " << formatBytes(freed) << " of objects no checkpoint uses\n";
    return kExitOk;
}

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

// Restores a checkpoint and sets the last run's progress back to the step
// it was taken after.
int rewind(Session& session, const std::string& selector, const std::string& command)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    std::optional<Manifest> restored;
    int status = restoreTree(session, tree, selector, command, restored);
    if (status != kExitOk)
        return status;
    auto run = session.journal().latestRun();
    if (!run)
        return kExitOk;
    for (const auto& step : session.journal().steps(run->id))
        if (step.name == restored->name) {
            session.journal().rewindTo(run->id, step.position,
                                       "restored to checkpoint " + restored->name + " (" +
                                           restored->id +
                                           "); continue with lfs-wrapper build resume");
            std::cout << "build " << run->id << ": progress set back to after step " << step.name
                      << "; lfs-wrapper build resume continues from step " << step.position + 1
                      << "\n";
            return kExitOk;
        }
    std::cout << "build " << run->id << " has no step named " << restored->name
              << ": its progress is unchanged\n";
    return kExitOk;
}

int buildRestore(Session& session, const po::variables_map& values)
{
    if (!values.count("last-known-good")) {
        std::cerr << "lfs-wrapper: build restore needs --last-known-good\n";
        return kExitUsage;
    }
    return rewind(session, "last-good", "build restore");
}

int restoreBaseline(Session& session, const po::variables_map&)
{
    return rewind(session, "baseline", "system restore baseline");
}

int buildFromBaseline(Session& session, const po::variables_map& values)
{
    if (!values.count("from-baseline")) {
        std::cerr << "lfs-wrapper: build system needs --from-baseline\n";
        return kExitUsage;
    }
    int status = rewind(session, "baseline", "build system");
    if (status != kExitOk)
        return status;
    if (!session.journal().latestRun()) {
        std::cerr << "lfs-wrapper: build system: the baseline is restored, but there is no build "
                     "to continue; start one with lfs-wrapper build start\n";
        return kExitFailed;
    }
    return resumeBuild(session, false, values.count("quiet") > 0);
}

int cleanBuild(Session& session, const po::variables_map&)
{
    if (session.buildRunning())
        return refuseWhileRunning("clean build");
    BuildTree tree(session.config(), session.stateDirectory());
    auto result = tree.cleanScratch();
    std::cout << result.message() << "\n";
    std::cout << "checkpoints kept: " << tree.store().list().size() << "\n";
    return result.status() == Result::Status::Failed ? kExitFailed : kExitOk;
}

void printReclaimed(const std::vector<ReclaimedItem>& items)
{
    for (const auto& item : items)
        std::cout << "  " << item.what << " " << item.path << ": "
                  << (item.problem.empty() ? formatBytes(item.bytes) : item.problem) << "\n";
    std::cout << "freed " << formatBytes(Reclaimer::total(items)) << "\n";
}

int failedIfRefused(const std::vector<ReclaimedItem>& items)
{
    for (const auto& item : items)
        if (item.problem.rfind("refused", 0) == 0)
            return kExitFailed;
    return kExitOk;
}

int cleanCache(Session& session, const po::variables_map& values)
{
    Reclaimer reclaimer(session.config(), session.stateDirectory());
    auto items = reclaimer.caches();
    if (values.count("all")) {
        if (session.buildRunning())
            return refuseWhileRunning("clean cache --all");
        BuildTree tree(session.config(), session.stateDirectory());
        auto scratch = reclaimer.scratch(tree);
        items.insert(items.end(), scratch.begin(), scratch.end());
        if (session.stateDirectoryExists()) {
            auto logs = reclaimer.oldStepLogs(session.journal());
            items.insert(items.end(), logs.begin(), logs.end());
        }
    }
    if (items.empty())
        std::cout << "nothing to clean: resources.reclaim lists no paths"
                  << (values.count("all") ? " and build.scratch none" : "") << "\n";
    printReclaimed(items);
    return failedIfRefused(items);
}

int cleanSystem(Session& session, const po::variables_map& values)
{
    if (!session.stateDirectoryExists()) {
        std::cout << "nothing to clean: no state directory at " << session.stateDirectory() << "\n";
        return kExitOk;
    }
    const bool deep = values.count("deep") != 0;
    if (deep && session.buildRunning())
        return refuseWhileRunning("clean system --deep");
    Reclaimer reclaimer(session.config(), session.stateDirectory());
    std::vector<ReclaimedItem> items = reclaimer.temporaryFiles();
    auto logs =
        deep ? reclaimer.oldRuns(session.journal()) : reclaimer.oldStepLogs(session.journal());
    items.insert(items.end(), logs.begin(), logs.end());
    if (deep) {
        BuildTree tree(session.config(), session.stateDirectory());
        auto objects = reclaimer.storeObjects(tree);
        items.insert(items.end(), objects.begin(), objects.end());
        std::cout << "checkpoints kept: " << tree.store().list().size() << "\n";
    }
    printReclaimed(items);
    return kExitOk;
}

} // namespace

void addCheckpointCommands(std::vector<Command>& commands)
{
    auto name = [](po::options_description& options,
                   po::positional_options_description& positional) {
        options.add_options()("name", po::value<std::string>()->required(),
                              "checkpoint: name, id, tag or last-good");
        positional.add("name", 1);
    };
    commands.push_back(
        {"checkpoint create", "NAME [--tag TAG]... [--good]", "Take a checkpoint of the build tree",
         "Incremental: files unchanged since the newest checkpoint (same inode, size,\n"
         "mtime and ctime, and not modified in the last seconds) are not read again.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("name", po::value<std::string>()->required(), "name")(
                 "tag", po::value<std::vector<std::string>>()->value_name("TAG"),
                 "tag, e.g. baseline (repeatable)")(
                 "good", "a last-good candidate (the tree is known to be good)");
             positional.add("name", 1);
         },
         create});
    commands.push_back({"checkpoint list", "[--json]",
                        "List checkpoints: name, created, files, bytes, bytes new to the store", "",
                        ConfigNeed::Structural, flagOption("json", kJsonHelp), list});
    commands.push_back({"checkpoint show", "NAME", "Show a checkpoint and every path in it", "",
                        ConfigNeed::Structural, name, show});
    commands.push_back(
        {"checkpoint diff", "A (B | --live [--thorough])",
         "Differences between two checkpoints, or a checkpoint and the live tree", "",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("from", po::value<std::string>()->required(),
                                   "first checkpoint")("to", po::value<std::string>(),
                                                       "second checkpoint")(
                 "live", "compare with the live build tree")(
                 "thorough", "with --live: compare content hashes too");
             positional.add("from", 1).add("to", 1);
         },
         diff});
    commands.push_back(
        {"checkpoint restore", "NAME|last-good", "Revert the build tree in place to a checkpoint",
         "Rewrites only what differs, removes what the checkpoint does not have, fixes\n"
         "owners, modes, xattrs and mtimes. Never follows a symlink of the live tree.\n"
         "Refused while a build runs, and for a checkpoint of another build root.",
         ConfigNeed::Structural, name, restore});
    commands.push_back({"checkpoint delete", "NAME", "Delete a checkpoint (gc frees its objects)",
                        "", ConfigNeed::Structural, name, remove});
    commands.push_back({"checkpoint gc", "", "Remove objects that no checkpoint uses", "",
                        ConfigNeed::Structural, nullptr, gc});
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
        {"build restore", "--last-known-good",
         "Restore the last good checkpoint and set the build's progress back to it", "",
         ConfigNeed::Structural,
         flagOption("last-known-good", "the newest checkpoint taken after a successful step"),
         buildRestore});
    commands.push_back(
        {"system restore", "baseline",
         "Restore the checkpoint tagged baseline and set progress back to it", "",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("which", po::value<std::string>()->required(), "baseline");
             positional.add("which", 1);
         },
         [](Session& session, const po::variables_map& values) {
             if (values["which"].as<std::string>() != "baseline") {
                 std::cerr << "lfs-wrapper: system restore knows only 'baseline'\n";
                 return kExitUsage;
             }
             return restoreBaseline(session, values);
         }});
    commands.push_back({"build system", "--from-baseline",
                        "Restore the baseline checkpoint, then rebuild from the step after it",
                        "The baseline is the checkpoint of the plan step marked `baseline: true`\n"
                        "(or one created with checkpoint create NAME --tag baseline).",
                        ConfigNeed::Full,
                        flagOption("from-baseline", "start from the baseline checkpoint"),
                        buildFromBaseline});
    commands.push_back({"system restore-base", "", "Same as: system restore baseline", "",
                        ConfigNeed::Structural, nullptr, restoreBaseline});
    commands.push_back(
        {"clean build", "[--preserve-checkpoint]",
         "Remove the build's scratch directories; keep the store",
         "Removes what build.scratch names (relative to the build root, never through\n"
         "a symlink) and chroot mounts left by a killed supervisor. The checkpoint\n"
         "store is always kept; --preserve-checkpoint is the seed's spelling of that.",
         ConfigNeed::Structural,
         flagOption("preserve-checkpoint", "keep the checkpoint store (always)"), cleanBuild});
    commands.push_back(
        {"clean cache", "[--all]",
         "Empty the caches resources.reclaim names; --all: scratch and old logs too",
         "Empties each path of resources.reclaim (ccache, download caches): its\n"
         "contents go, the directory stays. A path that is /, a symlink, or holds the\n"
         "build root or the state directory is refused (exit status 1). --all also\n"
         "removes the build's scratch directories and step logs of earlier runs older\n"
         "than resources.log_retention. Prints the bytes each item gave back.",
         ConfigNeed::Structural, flagOption("all", "also scratch directories and old step logs"),
         cleanCache});
    commands.push_back(
        {"clean system", "[--deep]", "Remove the state directory's temporary files and old logs",
         "Removes temporary files of interrupted writes and step logs of earlier runs\n"
         "older than resources.log_retention. --deep also forgets every run but the\n"
         "latest (rows and logs) and removes store objects no checkpoint uses. It\n"
         "never deletes a checkpoint and never touches the build root.",
         ConfigNeed::Structural, flagOption("deep", "also old runs and unreferenced store objects"),
         cleanSystem});
}

} // namespace lfsw::host
