// SPDX-License-Identifier: MIT
// files owner
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>

#include "base/open_beneath.h"
#include "base/unique_fd.h"
#include "build/build_tree.h"
#include "checkpoint_access.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

// The path as the manifests hold it: relative to the build root.
std::optional<std::string> relativeToRoot(const std::filesystem::path& root,
                                          const std::string& text)
{
    std::filesystem::path path(text);
    if (path.is_absolute()) {
        path = path.lexically_normal().lexically_relative(root.lexically_normal());
        if (path.empty() || *path.begin() == "..")
            return std::nullopt;
    }
    const std::string relative = path.lexically_normal().string();
    if (relative.empty() || relative == "." || !Manifest::safePath(relative))
        return std::nullopt;
    return relative;
}

// Whether the live path still is what the newest checkpoint holding it
// recorded: type, size, mode, owner and mtime, looked at without following
// a link (content is not re-read: the checkpoints' racily-clean rule).
std::string liveState(const BuildTree& tree, const std::string& path, const ManifestEntry& entry)
{
    UniqueFd root(::open(tree.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    const auto parent = std::filesystem::path(path).parent_path();
    UniqueFd directory(
        root.isValid()
            ? openBeneath(root.get(), parent.empty() ? "." : parent.string(), O_PATH | O_DIRECTORY)
            : -1);
    struct stat live {
    };
    if (!directory.isValid() ||
        ::fstatat(directory.get(), std::filesystem::path(path).filename().c_str(), &live,
                  AT_SYMLINK_NOFOLLOW) != 0)
        return "missing";
    const char type = entryTypeOf(live.st_mode);
    const std::int64_t mtime = timeNanoseconds(live.st_mtim);
    if (type != entry.type || (live.st_mode & 07777) != entry.mode || live.st_uid != entry.uid ||
        live.st_gid != entry.gid ||
        (type == 'f' &&
         (static_cast<std::uint64_t>(live.st_size) != entry.size || mtime != entry.mtimeNs)))
        return "differs";
    return "matches";
}

int owner(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    // Each manifest is asked for these paths only, never read whole.
    std::vector<std::string> asked;
    for (const auto& text : values["path"].as<std::vector<std::string>>())
        if (const auto path = relativeToRoot(tree.root(), text))
            asked.push_back(*path);
    const FileHistory history = tree.history(asked);
    const auto& manifests = history.manifests();
    const bool json = values.count("json") != 0;
    const auto runs = runsOf(session, manifests);
    auto checkpointJson = [&](std::size_t index) {
        const auto& manifest = manifests[index];
        const auto& run = runs[index];
        return nlohmann::json{{"checkpoint", manifest.id},
                              {"step", manifest.name},
                              {"run", run ? nlohmann::json(*run) : nlohmann::json()},
                              {"created", manifest.created}};
    };
    auto describe = [&](std::size_t index) {
        const auto& manifest = manifests[index];
        const auto& run = runs[index];
        return "step " + manifest.name + (run ? " of run " + std::to_string(*run) : "") +
               " (checkpoint " + manifest.id + ", " + manifest.created + ")";
    };
    int status = kExitOk;
    nlohmann::json answers = nlohmann::json::array();
    for (const auto& text : values["path"].as<std::vector<std::string>>()) {
        const auto path = relativeToRoot(tree.root(), text);
        const auto found = path ? history.of(*path) : FileHistory::Path{};
        if (!path || !found.last) {
            status = kExitFailed;
            if (json)
                answers.push_back({{"path", text}, {"known", false}});
            else
                std::cout << text << ": no checkpoint of " << tree.root().string()
                          << " knows this path\n";
            continue;
        }
        // Against the newest checkpoint: a path it no longer has should be gone.
        const bool inNewest = found.lastCheckpoint + 1 == manifests.size();
        std::string live = liveState(tree, *path, *found.last);
        if (!inNewest)
            live = live == "missing" ? "matches" : "differs";
        // The oldest checkpoint is a step's: what it holds that step made, or
        // was there before it (nothing was checkpointed before the step).
        const auto& firstRun = runs.front();
        if (json) {
            nlohmann::json changes = nlohmann::json::array();
            nlohmann::json created;
            for (const auto& event : found.events) {
                auto entry = checkpointJson(event.checkpoint);
                if (event.kind == '+' && created.is_null() && changes.empty()) {
                    created = entry;
                    continue;
                }
                entry["change"] = event.kind == '+'   ? "created again"
                                  : event.kind == '-' ? "removed"
                                                      : event.what;
                changes.push_back(entry);
            }
            answers.push_back({{"path", *path},
                               {"known", true},
                               {"installed_by_step", found.beforeFirst && firstRun
                                                         ? nlohmann::json()
                                                         : nlohmann::json(!found.beforeFirst)},
                               {"created", created},
                               {"changes", changes},
                               {"live", live},
                               {"last_checkpoint", manifests.back().id}});
            continue;
        }
        std::cout << *path << "\n";
        if (found.beforeFirst && firstRun)
            std::cout << "  created by " << describe(0)
                      << ", or there before it (no checkpoint was taken before the first step)\n";
        else if (found.beforeFirst)
            std::cout << "  not installed by any step: already in the first checkpoint, "
                      << manifests.front().name << " (" << manifests.front().id << ")\n";
        bool first = true;
        for (const auto& event : found.events) {
            if (event.kind == '+' && first && !found.beforeFirst)
                std::cout << "  created by " << describe(event.checkpoint) << "\n";
            else if (event.kind == '+')
                std::cout << "  created again by " << describe(event.checkpoint) << "\n";
            else if (event.kind == '-')
                std::cout << "  removed by " << describe(event.checkpoint) << "\n";
            else
                std::cout << "  changed by " << describe(event.checkpoint) << ": " << event.what
                          << "\n";
            first = false;
        }
        std::cout << "  live: "
                  << (live == "matches"   ? "matches"
                      : live == "missing" ? "missing, unlike"
                                          : "differs from")
                  << " the last checkpoint, " << manifests.back().id
                  << (inNewest ? "" : " (which no longer has it)") << "\n";
    }
    if (json)
        printJson({{"root", tree.root().string()}, {"paths", answers}});
    return status;
}

} // namespace

void addFilesCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"files owner", "PATH... [--json]",
         "Which step installed a file, which later steps changed it, and whether it still matches",
         "For each path (absolute inside the build root, or relative to it): the step\n"
         "whose checkpoint first had it (run, step, checkpoint), every later step that\n"
         "changed, replaced or removed it, and whether the live file still matches the\n"
         "last checkpoint. A path already in the first checkpoint was not installed by\n"
         "any step. Answered from the checkpoints' manifests, without walking the tree;\n"
         "exit status 1 for a path no checkpoint knows.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()(
                 "path", po::value<std::vector<std::string>>()->required()->value_name("PATH"),
                 "paths")("json", kJsonHelp);
             positional.add("path", -1);
         },
         owner});
}

} // namespace lfsw::host
