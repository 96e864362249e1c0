// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"

namespace lfsw {

// One step of a build plan.
struct PlanStep {
    std::string name;
    std::string run;   // shell script text, run by `shell` -e
    std::string shell; // absolute path (inside the chroot for a chroot step); empty: /bin/sh
    std::map<std::string, std::string> env;
    std::string workdir; // relative: from the build root; empty: the build root
    std::string user;    // empty: the supervisor's user
    bool chroot = false;
    // The environment of a login as `user` that starts empty (the book's
    // `env -i`, chapter 4.4): HOME, TERM, PATH, LFS and what the plan sets;
    // nothing of the supervisor's.
    bool cleanEnv = false;
    std::chrono::seconds timeout{0}; // 0: none
    bool checkpoint = true;
    bool baseline = false; // its checkpoint is tagged "baseline"
    // The book's estimate in SBU (Standard Build Units), for the ETA.
    std::optional<double> sbu;
};

// An ordered list of steps, read from YAML and validated like the config:
//
//   steps:
//     - name: binutils-pass1
//       run: |
//         cd sources/binutils-build
//         make && make install
//       timeout: 2h
//
// Problems are reported as FILE:LINE:COLUMN, all at once.
class BuildPlan
{
public:
    static BuildPlan fromFile(const std::filesystem::path& file);
    static BuildPlan fromString(const std::string& yaml, const std::string& name);
    // A one-step plan running a command line, for `build start -- CMD…`.
    static BuildPlan fromCommand(const std::vector<std::string>& command);

    const std::vector<PlanStep>& steps() const { return steps_; }
    const std::vector<Diagnostic>& problems() const { return problems_; }
    const std::string& sourceName() const { return sourceName_; }
    // The plan's text, as recorded with a run (for resume and backups).
    const std::string& text() const { return text_; }

private:
    std::vector<PlanStep> steps_;
    std::vector<Diagnostic> problems_;
    std::string sourceName_;
    std::string text_;
};

} // namespace lfsw
