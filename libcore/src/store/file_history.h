// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/checkpoint_store.h"
#include "store/manifest.h"

namespace lfsw {

// What the checkpoints of one build root say about its paths, from their
// manifests alone (no tree walk): which checkpoint first had a path, which
// later ones changed or removed it, and what one checkpoint changed against
// the one before it. A step's checkpoint is named after the step, so this is
// which step installed a file and what a step installed — exact, unlike
// timestamps or LD_PRELOAD: old mtimes, static and setuid binaries included.
class FileHistory
{
public:
    // `manifests`: oldest first, all of one build root.
    explicit FileHistory(std::vector<Manifest> manifests);

    struct Event {
        std::size_t checkpoint; // index in manifests()
        char kind;              // '+' appeared, 'M' changed, '-' removed
        std::string what;       // for 'M': "content, mode, mtime"
    };
    struct Path {
        std::string path;
        std::vector<Event> events;
        // In the oldest checkpoint already: there before any step recorded.
        bool beforeFirst = false;
        // The entry in the newest checkpoint that has it (nothing: no
        // checkpoint knows the path).
        std::optional<ManifestEntry> last;
        std::size_t lastCheckpoint = 0;
    };
    // `path` relative to the build root.
    Path of(const std::string& path) const;

    // What checkpoint `index` changed against the one before it (against
    // nothing for the first), content hashes compared.
    std::vector<TreeDifference> changesOf(std::size_t index) const;

    const std::vector<Manifest>& manifests() const { return manifests_; }
    // The entry for `path` in a manifest (sorted by path), or nothing.
    static const ManifestEntry* entryOf(const Manifest& manifest, const std::string& path);

private:
    std::vector<Manifest> manifests_;
};

} // namespace lfsw
