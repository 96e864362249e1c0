// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/expected.h"
#include "build/build_plan.h"

namespace lfsw {

// Turns a tree of build scripts into plan steps, one per script, named
// exactly as the script's file:
//
// - a jhalfs tree (DIR/lfs-commands/chapterNN/NNN-name, as jhalfs writes the
//   LFS book's pages), with the phases jhalfs's master.sh gives them: SETUP
//   from the first script (root on the host), LUSER from *settingenvironment
//   (the lfs user, its ~/.bashrc sourced, an empty environment), SUDO from
//   *changingowner (root on the host), CHROOT from *creatingdirs and BOOT
//   from *bootscripts or *network (root inside the build root);
// - a plain directory of numbered scripts, each root on the host unless its
//   header says otherwise (`# lfs-wrapper: user=NAME chroot`).
//
// Every script runs unmodified: by its path, with bash.
class ScriptImport
{
public:
    struct Options {
        std::filesystem::path buildRoot;  // chroot steps find their scripts below it
        std::string from;                 // first script to take; empty: the first
        std::string to;                   // last script to take; empty: the last
        std::vector<std::string> include; // scripts left out by default, taken anyway
    };

    // One script, where the plan runs it and why it is left out (if it is).
    struct Script {
        std::string name;
        std::filesystem::path path; // absolute, on the host
        std::string phase;          // SETUP, LUSER, SUDO, CHROOT, BOOT; scripts: empty
        PlanStep step;
        std::string leftOut; // why the plan leaves it out; empty: it runs
    };

    // The scripts of a jhalfs tree in jhalfs's order, or what is wrong with
    // the tree (the path and why).
    static Expected<std::vector<Script>> jhalfs(const std::filesystem::path& directory,
                                                const Options& options);
    // The numbered scripts of a directory, in numeric order.
    static Expected<std::vector<Script>> scripts(const std::filesystem::path& directory,
                                                 const Options& options);

    // The plan's YAML: a comment header saying where it came from and when,
    // then the steps; scripts left out appear as comments with the reason.
    static std::string planText(const std::vector<Script>& scripts, const std::string& description);
};

} // namespace lfsw
