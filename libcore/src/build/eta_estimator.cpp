// SPDX-License-Identifier: MIT
#include "build/eta_estimator.h"

#include <algorithm>
#include <ctime>

#include <lfsw/units.h>

#include "base/time_text.h"
#include "build/build_plan.h"
#include "config/config.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

std::optional<std::chrono::seconds> durationOf(const std::string& started, const std::string& ended)
{
    const auto from = parseIsoUtc(started);
    const auto to = parseIsoUtc(ended);
    if (!from || !to || *to < *from)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(*to - *from);
}

// binutils pass 1 in the names the book and jhalfs give it.
bool isBinutilsPass1(std::string name)
{
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name.find("binutils") == std::string::npos)
        return false;
    for (const char* pass : {"pass1", "pass-1", "pass_1", "pass 1"})
        if (name.find(pass) != std::string::npos)
            return true;
    return false;
}

} // namespace

std::string EtaEstimator::Estimate::text() const
{
    const int left_steps = fromHistory + fromSbu + unknown;
    if (left_steps == 0)
        return "nothing left to run";
    if (!end)
        return "unknown (no earlier run" + std::string(sbu ? "" : " and no SBU yet") + " for " +
               std::to_string(unknown) + " of " + std::to_string(left_steps) + " steps left)";
    const std::time_t at = std::chrono::system_clock::to_time_t(*end);
    std::tm utc{};
    ::gmtime_r(&at, &utc);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &utc);
    std::string basis;
    if (fromHistory)
        basis += std::to_string(fromHistory) + (fromHistory == 1 ? " step" : " steps") +
                 " from earlier runs";
    if (fromSbu)
        basis += (basis.empty() ? "" : ", ") + std::to_string(fromSbu) + " by SBU";
    return std::string(when) + " (in " + formatDuration(left) + "; " + basis + ")";
}

EtaEstimator::EtaEstimator(StateDatabase& database, const Config& config)
    : database_(database), config_(config)
{
}

std::optional<std::chrono::seconds> EtaEstimator::earlierDuration(const std::string& step,
                                                                  std::int64_t runId)
{
    auto rows = database_.prepare("SELECT started_at, ended_at FROM build_step WHERE name = ? AND"
                                  " state = 'done' AND run_id <> ? ORDER BY run_id DESC LIMIT 9");
    rows.bind(1, step).bind(2, runId);
    std::vector<std::chrono::seconds> durations;
    while (rows.step())
        if (auto took = durationOf(rows.text(0), rows.text(1)))
            durations.push_back(*took);
    if (durations.empty())
        return std::nullopt;
    std::sort(durations.begin(), durations.end());
    return durations[durations.size() / 2];
}

std::string EtaEstimator::sbuStep(const Config& config, const std::vector<std::string>& steps)
{
    if (auto name = config.string("build.sbu_step"); !name.empty())
        return name;
    for (const auto& step : steps)
        if (isBinutilsPass1(step))
            return step;
    return {};
}

std::optional<std::chrono::seconds> EtaEstimator::sbuUnit(const BuildPlan& plan)
{
    std::vector<std::string> names;
    for (const auto& step : plan.steps())
        names.push_back(step.name);
    const std::string name = sbuStep(config_, names);
    if (name.empty())
        return std::nullopt;
    auto rows = database_.prepare("SELECT started_at, ended_at FROM build_step WHERE name = ? AND"
                                  " state = 'done' ORDER BY run_id DESC LIMIT 1");
    rows.bind(1, name);
    if (!rows.step())
        return std::nullopt;
    auto unit = durationOf(rows.text(0), rows.text(1));
    if (unit && unit->count() == 0)
        unit = std::chrono::seconds(1); // a unit of nothing would make every step free
    return unit;
}

EtaEstimator::Estimate EtaEstimator::estimate(std::int64_t runId, const BuildPlan& plan)
{
    Estimate estimate;
    estimate.sbu = sbuUnit(plan);
    const auto now = std::chrono::system_clock::now();
    for (const auto& step : plan.steps()) {
        std::string state, started;
        {
            auto row = database_.prepare(
                "SELECT state, COALESCE(started_at, '') FROM build_step WHERE run_id = ? AND"
                " name = ?");
            row.bind(1, runId).bind(2, step.name);
            if (row.step()) {
                state = row.text(0);
                started = row.text(1);
            }
        }
        if (state == "done")
            continue;
        auto expected = earlierDuration(step.name, runId);
        if (expected) {
            ++estimate.fromHistory;
        } else if (estimate.sbu && step.sbu) {
            expected = std::chrono::seconds(
                static_cast<std::int64_t>(*step.sbu * static_cast<double>(estimate.sbu->count())));
            ++estimate.fromSbu;
        } else {
            ++estimate.unknown;
            continue;
        }
        // The running step has done part of its work.
        if (state == "running")
            if (auto ran = durationOf(started, isoUtc(now)))
                *expected = std::max(std::chrono::seconds(0), *expected - *ran);
        estimate.left += *expected;
    }
    if (estimate.unknown == 0)
        estimate.end = now + estimate.left;
    return estimate;
}

} // namespace lfsw
