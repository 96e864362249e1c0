// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/checkpoint_store.h"
#include "store/file_history.h"
#include "store/manifest.h"

namespace lfsw {

class BuildTree;

// Takes back what one step alone did to the build tree, from the checkpoint
// taken after it and the one before it: what it added goes, what it removed
// or changed comes back, directories it created go once they are empty. A
// path that a later step (or the tree since the newest checkpoint) also
// changed is left alone, as porg leaves a file two packages share, unless
// forced. The undo is itself between two checkpoints, so it can be taken
// back with a restore of the first.
class StepUndo
{
public:
    // One thing the undo does: '-' removes what the step added, '+' brings
    // back what it removed, 'M' brings back the version before it.
    struct Change {
        char kind;
        std::string path;
        char type;
        std::uint64_t size;
        std::string what; // for 'M': what the step had changed ("content, mode")
    };
    // A path the undo leaves as it is, and why.
    struct Left {
        std::string path;
        std::string why;
    };
    struct Plan {
        std::vector<Change> changes;
        std::vector<Left> left;
        // Paths of `left` that --force takes back anyway (they are in
        // `changes` then, and listed in `left` no more).
        std::size_t forced = 0;
        // The tree as it is to be: `live` with the changes made.
        Manifest target;
    };

    // What undoing the step whose checkpoint has the id `step` does to
    // `live` (the tree now: the newest checkpoint, or a scan when
    // `compareContent` is false). Throws when `history` has no such
    // checkpoint.
    static Plan plan(const FileHistory& history, const std::string& step, const Manifest& live,
                     bool compareContent, bool force);

    // What an undo did.
    struct Applied {
        Plan plan;
        Manifest before; // the checkpoint taken first: restoring it takes the undo back
        Manifest after;  // the checkpoint of the tree as the undo left it
        RestoreReport report;
    };
    // Checkpoints the tree, plans undoing the step of checkpoint `step` (its
    // header is enough) against that checkpoint, writes the plan into the
    // tree and checkpoints it again. The caller holds the supervisor lock,
    // and marks the step undone in its run.
    static Applied apply(BuildTree& tree, const Manifest& step, bool force,
                         const ProgressCallback& progress);
};

} // namespace lfsw
