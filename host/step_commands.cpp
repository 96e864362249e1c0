// SPDX-License-Identifier: MIT
// step files, step undo
#include <iostream>

#include <lfsw/units.h>

#include "base/counted.h"
#include "base/pid_lock.h"
#include "base/suggest.h"
#include "build/build_tree.h"
#include "build/step_undo.h"
#include "build/supervisor.h"
#include "checkpoint_access.h"
#include "command.h"
#include "progress_bar.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

// What a difference between two checkpoints is to a person: a content
// change (or of type, target, device, hardlink) or only metadata.
bool contentChanged(const std::string& what)
{
    for (const char* word : {"content", "size", "type", "target", "device", "hardlink"})
        if (what.find(word) != std::string::npos)
            return true;
    return false;
}

// The index in `manifests` of the step's checkpoint: the newest of its name,
// or the one of run N; nothing, and a message, when there is none.
std::optional<std::size_t> stepCheckpoint(const std::vector<Manifest>& manifests,
                                          const std::vector<std::optional<std::int64_t>>& runs,
                                          const std::string& name, const po::variables_map& values,
                                          const std::string& command)
{
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < manifests.size(); ++i)
        if (manifests[i].name == name &&
            (!values.count("run") || runs[i] == values["run"].as<int>()))
            chosen = i;
    if (!chosen) {
        std::vector<std::string> names;
        for (const auto& manifest : manifests)
            names.push_back(manifest.name);
        std::cerr << "lfs-wrapper: " << command << ": no checkpoint of a step '" << name << "'"
                  << (values.count("run") ? " in run " + std::to_string(values["run"].as<int>())
                                          : std::string())
                  << didYouMean(name, names)
                  << " (a step's checkpoint is taken when it succeeds; see lfs-wrapper "
                     "checkpoint list)\n";
    }
    return chosen;
}

int files(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    const auto name = values["step"].as<std::string>();
    BuildTree tree(session.config(), session.stateDirectory());
    // Chosen by the headers; only the step's checkpoint and the one before
    // it are read whole.
    const auto headers = tree.headers();
    const auto runs = runsOf(session, headers);
    const auto found = stepCheckpoint(headers, runs, name, values, "step files");
    if (!found)
        return kExitFailed;
    std::vector<Manifest> pair;
    for (std::size_t i = *found > 0 ? *found - 1 : 0; i <= *found; ++i) {
        std::vector<std::string> problems;
        auto manifest = tree.store().byId(headers[i].id, &problems);
        if (!manifest) {
            std::cerr << "lfs-wrapper: step files: " << problems.front() << "\n";
            return kExitFailed;
        }
        pair.push_back(std::move(*manifest));
    }
    const FileHistory history(std::move(pair));
    const auto& manifests = history.manifests();
    const std::size_t chosen = manifests.size() - 1;
    const auto& after = manifests[chosen];
    const Manifest* before = chosen > 0 ? &manifests[chosen - 1] : nullptr;
    struct Totals {
        std::size_t count = 0;
        std::uint64_t bytes = 0;
    } added, content, metadata, removed;
    nlohmann::json listed = nlohmann::json::array();
    std::ostringstream text;
    for (const auto& difference : history.changesOf(chosen)) {
        const ManifestEntry* now = FileHistory::entryOf(after, difference.path);
        const ManifestEntry* old =
            before ? FileHistory::entryOf(*before, difference.path) : nullptr;
        std::string kind;
        std::uint64_t size = now ? now->size : old ? old->size : 0;
        if (difference.kind == '+') {
            kind = "added";
            ++added.count;
            added.bytes += size;
        } else if (difference.kind == '-') {
            kind = "removed";
            ++removed.count;
            removed.bytes += size;
        } else if (contentChanged(difference.what)) {
            kind = "changed";
            ++content.count;
            content.bytes += size;
        } else {
            kind = "metadata";
            ++metadata.count;
        }
        const char type = now ? now->type : old ? old->type : 'f';
        listed.push_back({{"path", difference.path},
                          {"change", kind},
                          {"type", std::string(1, type)},
                          {"size", size},
                          {"what", difference.what}});
        text << (kind == "added"     ? "+ "
                 : kind == "removed" ? "- "
                 : kind == "changed" ? "M "
                                     : "m ")
             << difference.path << (type == 'd' ? "/" : "")
             << (type == 'f' ? "  " + formatBytes(size) : std::string())
             << (difference.what.empty() ? "" : "  (" + difference.what + ")") << "\n";
    }
    const auto& run = runs[*found];
    if (values.count("json")) {
        auto totals = [](const Totals& t) {
            return nlohmann::json{{"paths", t.count}, {"bytes", t.bytes}};
        };
        printJson({{"step", name},
                   {"run", run ? nlohmann::json(*run) : nlohmann::json()},
                   {"checkpoint", after.id},
                   {"against", before ? nlohmann::json(before->id) : nlohmann::json()},
                   {"paths", listed},
                   {"totals",
                    {{"added", totals(added)},
                     {"changed", totals(content)},
                     {"metadata", totals(metadata)},
                     {"removed", totals(removed)}}}});
        return kExitOk;
    }
    std::cout << "step " << name << (run ? " of run " + std::to_string(*run) : "")
              << ": checkpoint " << after.id << " against "
              << (before ? before->name + " (" + before->id + ")" : std::string("an empty tree"))
              << "\n"
              << text.str() << "added " << added.count << " (" << formatBytes(added.bytes)
              << "), changed " << content.count << " (" << formatBytes(content.bytes)
              << "), metadata only " << metadata.count << ", removed " << removed.count << " ("
              << formatBytes(removed.bytes) << ")\n";
    return kExitOk;
}

// "- usr/bin/as  (added by the step)" for each change an undo makes.
void printUndo(const StepUndo::Plan& plan, bool dryRun)
{
    std::size_t removed = 0, back = 0, earlier = 0;
    for (const auto& change : plan.changes) {
        const std::string path = change.path + (change.type == 'd' ? "/" : "");
        if (change.kind == '-') {
            ++removed;
            std::cout << "- " << path << "  (" << (dryRun ? "would remove" : "removed")
                      << ": the step added it)\n";
        } else if (change.kind == '+') {
            ++back;
            std::cout << "+ " << path << "  (" << (dryRun ? "would bring back" : "brought back")
                      << ": the step removed it)\n";
        } else {
            ++earlier;
            std::cout << "M " << path << "  (" << (dryRun ? "would bring back" : "brought back")
                      << " the version before the step, which changed its " << change.what << ")\n";
        }
    }
    for (const auto& left : plan.left)
        std::cout << "= " << left.path << "  (left alone: " << left.why << ")\n";
    std::cout << (dryRun ? "would undo " : "undone: ") << counted(plan.changes.size(), "path")
              << " (" << removed << " removed, " << back << " brought back, "
              << counted(earlier, "earlier version") << ")";
    if (!plan.left.empty())
        std::cout << ", " << plan.left.size() << " left alone"
                  << " (--force takes back what a later step also changed)";
    if (plan.forced)
        std::cout << ", " << counted(plan.forced, "path")
                  << " a later step also changed taken back (--force)";
    std::cout << "\n";
}

int undo(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    const auto name = values["step"].as<std::string>();
    const bool dryRun = values.count("dry-run") > 0;
    const bool force = values.count("force") > 0;
    BuildTree tree(session.config(), session.stateDirectory());
    // Held until the undo is checkpointed: no build starts on a tree
    // being taken apart.
    PidLock lock(session.stateDirectory() / Supervisor::kLockFileName);
    if (!dryRun && !lock.acquire())
        return refuseWhileRunning("step undo");
    if (dryRun && session.buildRunning())
        return refuseWhileRunning("step undo");
    // Chosen by the headers: the manifests are read whole once, by the plan.
    const auto manifests = tree.headers();
    const auto runs = runsOf(session, manifests);
    const auto chosen = stepCheckpoint(manifests, runs, name, values, "step undo");
    if (!chosen)
        return kExitFailed;
    const auto& step = manifests[*chosen];
    std::cout << "step undo " << name << ": what checkpoint " << step.id << " added, removed"
              << " and changed against "
              << (*chosen > 0 ? manifests[*chosen - 1].name + " (" + manifests[*chosen - 1].id + ")"
                              : std::string("an empty tree"))
              << "\n";
    if (dryRun) {
        ProgressBar bar("scan " + tree.root().string());
        const auto live =
            CheckpointStore::scan(tree.root(), tree.walkOptions(), false, bar.callback());
        printUndo(StepUndo::plan(tree.history(), step.id, live, false, force), true);
        std::cout << "nothing changed (--dry-run)\n";
        return kExitOk;
    }
    ProgressBar bar("undo " + name);
    const auto applied = StepUndo::apply(tree, step, force, bar.callback());
    printUndo(applied.plan, false);
    std::cout << "checkpoint " << applied.before.name << " (" << applied.before.id << ") before, "
              << applied.after.name << " (" << applied.after.id
              << ") after; lfs-wrapper checkpoint restore " << applied.before.id
              << " takes the undo back\n";
    if (!applied.report.mountPoints.empty()) {
        std::cerr << "lfs-wrapper: step undo: "
                  << tree.describeMountPoints(applied.report.mountPoints) << "\n";
        return kExitFailed;
    }
    if (const auto run = runs[*chosen]) {
        for (const auto& record : session.journal().steps(*run))
            if (record.name == name) {
                session.journal().markUndone(*run, record.position, applied.before.id,
                                             applied.after.id);
                std::cout << "build " << *run << ": step " << name
                          << " is undone; lfs-wrapper build resume runs it again\n";
            }
    }
    return kExitOk;
}

} // namespace

void addStepCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"step files", "STEP [--run N] [--json]",
         "What a step did to the tree: added, changed, metadata only, removed",
         "Compares the step's checkpoint with the one before it: every path it added,\n"
         "changed (content) or changed in metadata only (mode, owner, mtime, xattrs),\n"
         "and removed, with sizes and totals. Exact, unlike timestamps or LD_PRELOAD\n"
         "loggers: files with old mtimes and static or setuid binaries are included.\n"
         "--run N: the step of that run (default: its newest checkpoint).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("step", po::value<std::string>()->required(), "step name")(
                 "run", po::value<int>()->value_name("N"), "run id")("json", kJsonHelp);
             positional.add("step", 1);
         },
         files});
    commands.push_back(
        {"step undo", "STEP [--run N] [--dry-run] [--force]",
         "Take back what one step did to the tree, and only that",
         "Removes what the step added, brings back what it removed or changed (from\n"
         "the checkpoint before it), removes the directories it created once they\n"
         "are empty. A path a later step also changed, or that changed since the\n"
         "newest checkpoint, is listed and left alone unless --force. A checkpoint is\n"
         "taken before and after: lfs-wrapper checkpoint restore of the first takes\n"
         "the undo back. build status shows the step as undone; build resume runs it\n"
         "again. --dry-run prints what it would do and changes nothing.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("step", po::value<std::string>()->required(),
                                   "step name")("run", po::value<int>()->value_name("N"), "run id")(
                 "dry-run", "print what would be undone, change nothing")(
                 "force", "take back what later steps also changed too");
             positional.add("step", 1);
         },
         undo});
}

} // namespace lfsw::host
