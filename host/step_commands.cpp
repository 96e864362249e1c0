// SPDX-License-Identifier: MIT
// step files
#include <iostream>

#include <lfsw/units.h>

#include "base/suggest.h"
#include "build/build_tree.h"
#include "checkpoint_access.h"
#include "command.h"
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

int files(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    const auto name = values["step"].as<std::string>();
    BuildTree tree(session.config(), session.stateDirectory());
    const FileHistory history = historyOf(tree);
    const auto& manifests = history.manifests();
    const auto runs = runsOf(session, manifests);
    // The step's checkpoint: the newest of its name, or the one of run N.
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < manifests.size(); ++i)
        if (manifests[i].name == name &&
            (!values.count("run") || runs[i] == values["run"].as<int>()))
            chosen = i;
    if (!chosen) {
        std::vector<std::string> names;
        for (const auto& manifest : manifests)
            names.push_back(manifest.name);
        std::cerr << "lfs-wrapper: step files: no checkpoint of a step '" << name << "'"
                  << (values.count("run") ? " in run " + std::to_string(values["run"].as<int>())
                                          : std::string())
                  << didYouMean(name, names)
                  << " (a step's checkpoint is taken when it succeeds; see lfs-wrapper "
                     "checkpoint list)\n";
        return kExitFailed;
    }
    const auto& after = manifests[*chosen];
    const Manifest* before = *chosen > 0 ? &manifests[*chosen - 1] : nullptr;
    struct Totals {
        std::size_t count = 0;
        std::uint64_t bytes = 0;
    } added, content, metadata, removed;
    nlohmann::json listed = nlohmann::json::array();
    std::ostringstream text;
    for (const auto& difference : history.changesOf(*chosen)) {
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
    const auto& run = runs[*chosen];
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
}

} // namespace lfsw::host
