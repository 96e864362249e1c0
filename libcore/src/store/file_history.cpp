// SPDX-License-Identifier: MIT
#include "store/file_history.h"

#include <algorithm>

namespace lfsw {

const ManifestEntry* FileHistory::entryOf(const Manifest& manifest, const std::string& path)
{
    auto it = std::lower_bound(
        manifest.entries.begin(), manifest.entries.end(), path,
        [](const ManifestEntry& entry, const std::string& wanted) { return entry.path < wanted; });
    return it != manifest.entries.end() && it->path == path ? &*it : nullptr;
}

FileHistory::FileHistory(std::vector<Manifest> manifests) : manifests_(std::move(manifests)) {}

FileHistory::Path FileHistory::of(const std::string& path) const
{
    Path history;
    history.path = path;
    const ManifestEntry* previous = nullptr;
    for (std::size_t i = 0; i < manifests_.size(); ++i) {
        const ManifestEntry* entry = entryOf(manifests_[i], path);
        if (entry && !previous) {
            if (i == 0)
                history.beforeFirst = true;
            else
                history.events.push_back({i, '+', ""});
        } else if (!entry && previous) {
            history.events.push_back({i, '-', ""});
        } else if (entry && previous) {
            if (auto what = CheckpointStore::differenceOf(*previous, *entry, true); !what.empty())
                history.events.push_back({i, 'M', what});
        }
        if (entry) {
            history.last = *entry;
            history.lastCheckpoint = i;
        }
        previous = entry;
    }
    return history;
}

std::vector<TreeDifference> FileHistory::changesOf(std::size_t index) const
{
    static const Manifest kNothing;
    return CheckpointStore::diff(index == 0 ? kNothing : manifests_[index - 1], manifests_[index],
                                 true);
}

} // namespace lfsw
