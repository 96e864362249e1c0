// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/checkpoint_store.h"

namespace lfsw {
class BuildTree;
}

namespace lfsw::host {

class Session;

// What the commands that read or restore checkpoints share (checkpoint,
// verify, clean, build restore, system restore).

// Whether the store exists; when not, says so plainly instead of creating it.
bool haveStore(Session& session);
// Says that `command` waits for the running build to stop; exit status 1.
int refuseWhileRunning(const std::string& command);
// The checkpoint `selector` names, or nothing and a message with the
// names that come close.
std::optional<Manifest> findCheckpointOrSay(BuildTree& tree, const std::string& selector);
// One line per difference: "kind path (what)".
void printDifferences(const std::vector<TreeDifference>& differences);
// Restores a checkpoint into the configured root (refused while a build
// runs, or for a checkpoint of another root) and sets the last run's
// progress back to the step it was taken after; the exit status.
int rewind(Session& session, const std::string& selector, const std::string& command);
// For each checkpoint, the build run whose step of the checkpoint's name it
// was taken after: the latest run with such a step started before the
// checkpoint. The journal is read once.
std::vector<std::optional<std::int64_t>> runsOf(Session& session,
                                                const std::vector<Manifest>& checkpoints);

} // namespace lfsw::host
