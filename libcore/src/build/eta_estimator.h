// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lfsw {

class BuildPlan;
class Config;
class StateDatabase;

// When a run is expected to end. Each step not done yet is estimated from
// earlier runs' durations of a step of the same name (their median), else,
// once the SBU step has run (the LFS book's Standard Build Unit: the time of
// binutils pass 1, or of `build.sbu_step`), from the step's `sbu:` in the
// plan times that unit; a step with neither has no estimate, and the run's
// end is then unknown.
class EtaEstimator
{
public:
    struct Estimate {
        std::optional<std::chrono::system_clock::time_point> end; // nothing: unknown
        std::chrono::seconds left{0};
        int fromHistory = 0;                     // steps estimated from earlier runs
        int fromSbu = 0;                         // steps estimated by SBU
        int unknown = 0;                         // steps with no estimate
        std::optional<std::chrono::seconds> sbu; // the unit, once known

        // "2026-12-02 01:32 UTC (in 1h12m; 10 steps from earlier runs, 3 by SBU)"
        // or "unknown (no earlier run or SBU for 2 of 5 steps left)".
        std::string text() const;
    };

    EtaEstimator(StateDatabase& database, const Config& config);

    // The step whose time is one SBU: build.sbu_step, else the first of
    // `steps` named as binutils pass 1 is (binutils-pass1, 501-binutils-pass-1);
    // empty when there is none.
    static std::string sbuStep(const Config& config, const std::vector<std::string>& steps);

    Estimate estimate(std::int64_t runId, const BuildPlan& plan);

private:
    std::optional<std::chrono::seconds> earlierDuration(const std::string& step,
                                                        std::int64_t runId);
    std::optional<std::chrono::seconds> sbuUnit(const BuildPlan& plan);

    StateDatabase& database_;
    const Config& config_;
};

} // namespace lfsw
