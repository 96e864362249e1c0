// SPDX-License-Identifier: MIT
#include "build/step_undo.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "build/build_tree.h"

namespace lfsw {

namespace {

// Whether two states of one path differ (either may be absent).
bool differs(const ManifestEntry* a, const ManifestEntry* b, bool compareContent)
{
    if (!a || !b)
        return a != b;
    return !CheckpointStore::differenceOf(*a, *b, compareContent).empty();
}

std::string parentOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// A hardlink whose first name is gone, or is no longer the same file, is
// led by the first of its other names that the tree keeps.
void relinkGroups(std::map<std::string, ManifestEntry>& entries)
{
    std::map<std::string, std::string> leaders; // old first name → new one
    for (auto& [path, entry] : entries) {
        if (entry.type != 'f' || entry.linkGroup.empty())
            continue;
        auto leader = entries.find(entry.linkGroup);
        const bool intact = leader != entries.end() && leader->second.type == 'f' &&
                            leader->second.linkGroup.empty() && leader->second.hash == entry.hash;
        if (intact)
            continue;
        auto [it, first] = leaders.emplace(entry.linkGroup, path);
        entry.linkGroup = first ? std::string() : it->second;
    }
}

} // namespace

StepUndo::Plan StepUndo::plan(const FileHistory& history, const std::string& stepId,
                              const Manifest& live, bool compareContent, bool force)
{
    const auto& manifests = history.manifests();
    const auto at = std::find_if(manifests.begin(), manifests.end(),
                                 [&](const Manifest& m) { return m.id == stepId; });
    if (at == manifests.end())
        throw std::runtime_error("checkpoint " + stepId + " is not of this build root");
    const auto step = static_cast<std::size_t>(at - manifests.begin());
    const Manifest& after = manifests[step];
    const Manifest* before = step > 0 ? &manifests[step - 1] : nullptr;

    Plan plan;
    std::map<std::string, ManifestEntry> target;
    for (const auto& entry : live.entries)
        target.emplace(entry.path, entry);
    std::vector<std::string> createdDirectories;

    for (const auto& difference : history.changesOf(step)) {
        const ManifestEntry* was =
            before ? FileHistory::entryOf(*before, difference.path) : nullptr;
        const ManifestEntry* is = FileHistory::entryOf(after, difference.path);
        // Who changed the path since the step: a later checkpoint, or the
        // tree since the newest one.
        std::string changedSince;
        const ManifestEntry* previous = is;
        for (std::size_t later = step + 1; later < manifests.size() && changedSince.empty();
             ++later) {
            const ManifestEntry* then = FileHistory::entryOf(manifests[later], difference.path);
            if (differs(previous, then, true))
                changedSince = std::string(!then       ? "removed"
                                           : !previous ? "added again"
                                                       : "changed") +
                               " by a later step: " + manifests[later].name + " (checkpoint " +
                               manifests[later].id + ")";
            previous = then;
        }
        const ManifestEntry* now = FileHistory::entryOf(live, difference.path);
        if (changedSince.empty() && differs(previous, now, compareContent))
            changedSince = "changed in the tree since the newest checkpoint";
        if (!changedSince.empty()) {
            plan.left.push_back({difference.path, changedSince});
            if (!force)
                continue;
            ++plan.forced;
        }
        const char type = is ? is->type : was->type;
        switch (difference.kind) {
        case '+':
            if (type == 'd') {
                createdDirectories.push_back(difference.path);
                continue; // once the rest is decided: removed if empty
            }
            target.erase(difference.path);
            plan.changes.push_back({'-', difference.path, type, is->size, ""});
            break;
        case '-':
        case 'M': {
            const auto parent = parentOf(difference.path);
            if (!parent.empty() && !target.count(parent)) {
                plan.left.push_back({difference.path, "its directory " + parent + " is gone"});
                continue;
            }
            ManifestEntry earlier = *was;
            // A directory's mtime is whatever its contents make it now.
            if (earlier.type == 'd' && now)
                earlier.mtimeNs = now->mtimeNs;
            target[difference.path] = earlier;
            plan.changes.push_back({difference.kind == '-' ? '+' : 'M', difference.path,
                                    earlier.type, earlier.size, difference.what});
            break;
        }
        }
    }
    // Deepest first, so that a directory emptied of its subdirectories goes too.
    for (auto it = createdDirectories.rbegin(); it != createdDirectories.rend(); ++it) {
        const auto inside = target.lower_bound(*it + "/");
        if (inside != target.end() && inside->first.compare(0, it->size() + 1, *it + "/") == 0) {
            plan.left.push_back({*it, "a directory the step created that is not empty"});
            continue;
        }
        target.erase(*it);
        plan.changes.push_back({'-', *it, 'd', 0, ""});
    }
    if (force) // what was forced is done, not left
        plan.left.erase(std::remove_if(plan.left.begin(), plan.left.end(),
                                       [&](const Left& left) {
                                           return std::any_of(plan.changes.begin(),
                                                              plan.changes.end(),
                                                              [&](const Change& c) {
                                                                  return c.path == left.path;
                                                              });
                                       }),
                        plan.left.end());
    std::sort(plan.changes.begin(), plan.changes.end(),
              [](const Change& a, const Change& b) { return a.path < b.path; });
    std::sort(plan.left.begin(), plan.left.end(),
              [](const Left& a, const Left& b) { return a.path < b.path; });

    relinkGroups(target);
    plan.target = live;
    plan.target.entries.clear();
    plan.target.entries.reserve(target.size());
    for (auto& [path, entry] : target)
        plan.target.entries.push_back(std::move(entry));
    return plan;
}

StepUndo::Applied StepUndo::apply(BuildTree& tree, const Manifest& step, bool force,
                                  const ProgressCallback& progress)
{
    Applied applied;
    applied.before = tree.store().create("before-undo-" + step.name, tree.root(),
                                         tree.walkOptions(), false, {"undo"}, progress);
    // The checkpoint as a whole, to plan against: create() gives its header.
    auto before = tree.store().byId(applied.before.id);
    if (!before)
        throw std::runtime_error("cannot read back checkpoint " + applied.before.id);
    applied.plan = plan(tree.history(), step.id, *before, true, force);
    applied.report =
        tree.store().restore(applied.plan.target, tree.root(), tree.walkOptions(), progress);
    // Good: a recovery that goes back to the last good checkpoint keeps the
    // step undone.
    applied.after = tree.store().create("undo-" + step.name, tree.root(), tree.walkOptions(), true,
                                        {"undo"}, progress);
    return applied;
}

} // namespace lfsw
