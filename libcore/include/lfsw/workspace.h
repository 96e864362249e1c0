// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <lfsw/build_control.h>
#include <lfsw/event.h>
#include <lfsw/export.h>
#include <lfsw/result.h>

namespace lfsw {

// One checkpoint of the build tree, as Workspace::checkpoints() lists it.
struct CheckpointSummary {
    std::string id;
    std::string name;
    bool good = false; // taken after a successful step ("last-good" picks the newest)
    std::uint64_t paths = 0;
    std::uint64_t bytes = 0;    // of the tree
    std::uint64_t newBytes = 0; // that this checkpoint added to the store
};

// How a request to recover ended.
struct RecoveryReport {
    enum class Status {
        Recovered, // every action of the chain was done or not applicable
        Failed,    // an action failed; the chain stopped there
        Exhausted, // auto_recovery.max_attempts reached: nothing ran
        NoChain,   // the config has no chain for this condition
    };
    Status status = Status::NoChain;
    std::string chain; // the recovery_actions key that ran
    int attempt = 0;   // this attempt (Exhausted: the attempts used)
    int maxAttempts = 0;
    std::string message; // the failed action's reason, or why nothing ran
};

// The checkpoint store and recovery engine of one build, for a program that
// drives its own build instead of `lfs-wrapper build start`. It reads an
// lfs-wrapper.yaml, loads the plugins it names (plugins.dirs,
// $LFSW_PLUGIN_PATH and the installed stock plugins), and keeps its state in
// the same layout as the host, so `lfs-wrapper checkpoint list` and
// `lfs-wrapper recovery history` work on what an embedder did.
//
//   lfsw::Workspace workspace("lfs-wrapper.yaml");
//   workspace.checkpoint("toolchain");              // after a good step
//   auto report = workspace.recover(event, myBuildControl);
//
// Errors the user can cause (a bad config, a missing checkpoint, a full
// disk) come back as a Result or as std::invalid_argument from the
// constructor, whose message lists every config problem as FILE:LINE:COLUMN.
class LFSW_EXPORT Workspace
{
public:
    // `stateDirectory` overrides the config's `state_dir`; it is created
    // (mode 0700) when missing.
    explicit Workspace(const std::filesystem::path& configFile,
                       const std::optional<std::filesystem::path>& stateDirectory = {});
    ~Workspace();
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::filesystem::path& buildRoot() const;
    const std::filesystem::path& stateDirectory() const;

    // Takes a checkpoint of the build root (`checkpoint.exclude` and the
    // state directory left out). `good`: taken after a successful step.
    Result checkpoint(const std::string& name, bool good = true);
    // Reverts the build root in place to a checkpoint: a name, an id, a tag
    // or "last-good".
    Result restore(const std::string& selector);
    // Every checkpoint, oldest first.
    std::vector<CheckpointSummary> checkpoints() const;

    // Runs the config's chain for `event` (recovery_actions.CONDITION, or
    // CONDITION:CLASS when the config has it), counting the attempt as the
    // host does; the actions act on the build through `build`.
    RecoveryReport recover(const Event& event, BuildControl& build);
    // The step succeeded: its recovery attempts start again from zero.
    void stepSucceeded(const std::string& step);

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace lfsw
