// SPDX-License-Identifier: MIT
#include "build/build_journal.h"

#include "base/time_text.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

constexpr const char* kRunColumns =
    "id, plan_source, plan_text, build_root, started_at, COALESCE(ended_at, ''), state, message,"
    " COALESCE(supervisor_pid, 0), stop_request";

RunRecord readRun(Statement& row)
{
    RunRecord run;
    run.id = row.integer(0);
    run.planSource = row.text(1);
    run.planText = row.text(2);
    run.buildRoot = row.text(3);
    run.startedAt = row.text(4);
    run.endedAt = row.text(5);
    run.state = row.text(6);
    run.message = row.text(7);
    run.supervisorPid = static_cast<int>(row.integer(8));
    run.stopRequest = row.text(9);
    return run;
}

} // namespace

std::int64_t BuildJournal::createRun(const std::string& planSource, const std::string& planText,
                                     const std::string& buildRoot,
                                     const std::vector<std::string>& steps, int supervisorPid)
{
    std::int64_t runId = 0;
    database_.transaction([&] {
        database_
            .prepare("INSERT INTO build_run (plan_source, plan_text, build_root, started_at, state,"
                     " supervisor_pid) VALUES (?, ?, ?, ?, 'running', ?)")
            .bind(1, planSource)
            .bind(2, planText)
            .bind(3, buildRoot)
            .bind(4, isoUtcNow())
            .bind(5, std::int64_t{supervisorPid})
            .run();
        runId = database_.lastInsertId();
        int position = 0;
        for (const auto& name : steps)
            database_
                .prepare("INSERT INTO build_step (run_id, position, name, state)"
                         " VALUES (?, ?, ?, 'pending')")
                .bind(1, runId)
                .bind(2, std::int64_t{++position})
                .bind(3, name)
                .run();
    });
    return runId;
}

std::optional<RunRecord> BuildJournal::latestRun()
{
    auto row = database_.prepare(std::string("SELECT ") + kRunColumns +
                                 " FROM build_run ORDER BY id DESC LIMIT 1");
    if (!row.step())
        return std::nullopt;
    return readRun(row);
}

void BuildJournal::forgetRun(std::int64_t runId)
{
    database_.transaction([&] {
        database_.prepare("DELETE FROM step_undo WHERE run_id = ?").bind(1, runId).run();
        database_.prepare("DELETE FROM step_attempt WHERE run_id = ?").bind(1, runId).run();
        database_.prepare("DELETE FROM build_step WHERE run_id = ?").bind(1, runId).run();
        database_.prepare("DELETE FROM build_run WHERE id = ?").bind(1, runId).run();
    });
}

std::vector<RunRecord> BuildJournal::runs()
{
    auto row =
        database_.prepare(std::string("SELECT ") + kRunColumns + " FROM build_run ORDER BY id");
    std::vector<RunRecord> result;
    while (row.step())
        result.push_back(readRun(row));
    return result;
}

std::vector<StepRecord> BuildJournal::steps(std::int64_t runId)
{
    auto row = database_.prepare(
        "SELECT position, name, state, attempts, COALESCE(started_at, ''), COALESCE(ended_at, ''),"
        " exit_status, signal, condition, failure_class, COALESCE(pgid, 0), log_file,"
        " COALESCE(jobs, 0), COALESCE(memory_limit, 0), message"
        " FROM build_step WHERE run_id = ? ORDER BY position");
    row.bind(1, runId);
    std::vector<StepRecord> result;
    while (row.step()) {
        StepRecord step;
        step.position = static_cast<int>(row.integer(0));
        step.name = row.text(1);
        step.state = row.text(2);
        step.attempts = static_cast<int>(row.integer(3));
        step.startedAt = row.text(4);
        step.endedAt = row.text(5);
        if (!row.isNull(6))
            step.exitStatus = static_cast<int>(row.integer(6));
        if (!row.isNull(7))
            step.signal = static_cast<int>(row.integer(7));
        step.condition = row.text(8);
        step.failureClass = row.text(9);
        step.pgid = static_cast<int>(row.integer(10));
        step.logFile = row.text(11);
        step.jobs = static_cast<int>(row.integer(12));
        step.memoryLimit = static_cast<std::uint64_t>(row.integer(13));
        step.message = row.text(14);
        result.push_back(std::move(step));
    }
    return result;
}

void BuildJournal::setRunState(std::int64_t runId, const std::string& state,
                               const std::string& message)
{
    auto update = database_.prepare("UPDATE build_run SET state = ?, message = ?, ended_at = ?, "
                                    "stop_request = '' WHERE id = ?");
    update.bind(1, state).bind(2, message);
    if (state == "running")
        update.bindNull(3);
    else
        update.bind(3, isoUtcNow());
    update.bind(4, runId).run();
}

void BuildJournal::resumeRun(std::int64_t runId, int supervisorPid)
{
    database_.transaction([&] {
        database_
            .prepare("UPDATE build_step SET state = 'interrupted', ended_at = ?,"
                     " message = 'its supervisor died while it ran; it never finished'"
                     " WHERE run_id = ? AND state = 'running'")
            .bind(1, isoUtcNow())
            .bind(2, runId)
            .run();
        database_
            .prepare("UPDATE build_run SET state = 'running', ended_at = NULL, message = '',"
                     " supervisor_pid = ?, stop_request = '' WHERE id = ?")
            .bind(1, std::int64_t{supervisorPid})
            .bind(2, runId)
            .run();
    });
}

void BuildJournal::addStep(std::int64_t runId, int position, const std::string& name)
{
    // A step already recorded at this position under the same name keeps its
    // state and attempts (a done step stays done); any other is new, pending.
    database_
        .prepare(
            "INSERT INTO build_step (run_id, position, name, state) VALUES (?, ?, ?, 'pending')"
            " ON CONFLICT (run_id, position) DO UPDATE SET"
            " state = CASE WHEN name = excluded.name THEN state ELSE 'pending' END,"
            " attempts = CASE WHEN name = excluded.name THEN attempts ELSE 0 END,"
            " name = excluded.name")
        .bind(1, runId)
        .bind(2, std::int64_t{position})
        .bind(3, name)
        .run();
}

void BuildJournal::startStep(std::int64_t runId, int position, const std::string& logFile,
                             const StepLimits& limits)
{
    database_
        .prepare("UPDATE build_step SET state = 'running', attempts = attempts + 1,"
                 " started_at = ?, ended_at = NULL, exit_status = NULL, signal = NULL,"
                 " condition = '', failure_class = '', pgid = NULL, log_file = ?, jobs = ?,"
                 " memory_limit = ?, message = '' WHERE run_id = ? AND position = ?")
        .bind(1, isoUtcNow())
        .bind(2, logFile)
        .bind(3, std::int64_t{limits.jobs})
        .bind(4, static_cast<std::int64_t>(limits.memoryBytes))
        .bind(5, runId)
        .bind(6, std::int64_t{position})
        .run();
    database_
        .prepare("INSERT OR REPLACE INTO step_attempt (run_id, name, attempt, started_at, state)"
                 " SELECT run_id, name, attempts, started_at, 'running' FROM build_step"
                 " WHERE run_id = ? AND position = ?")
        .bind(1, runId)
        .bind(2, std::int64_t{position})
        .run();
}

void BuildJournal::setStepPgid(std::int64_t runId, int position, int pgid)
{
    database_.prepare("UPDATE build_step SET pgid = ? WHERE run_id = ? AND position = ?")
        .bind(1, std::int64_t{pgid})
        .bind(2, runId)
        .bind(3, std::int64_t{position})
        .run();
}

void BuildJournal::finishStep(std::int64_t runId, int position, const StepRecord& result)
{
    auto update = database_.prepare(
        "UPDATE build_step SET state = ?, ended_at = ?, exit_status = ?, signal = ?,"
        " condition = ?, failure_class = ?, message = ? WHERE run_id = ? AND position = ?");
    update.bind(1, result.state).bind(2, isoUtcNow());
    if (result.exitStatus)
        update.bind(3, std::int64_t{*result.exitStatus});
    else
        update.bindNull(3);
    if (result.signal)
        update.bind(4, std::int64_t{*result.signal});
    else
        update.bindNull(4);
    update.bind(5, result.condition)
        .bind(6, result.failureClass)
        .bind(7, result.message)
        .bind(8, runId)
        .bind(9, std::int64_t{position})
        .run();
    database_
        .prepare("UPDATE step_attempt SET (ended_at, state, failure_class) = (SELECT ended_at,"
                 " state, failure_class FROM build_step WHERE run_id = ? AND position = ?)"
                 " WHERE run_id = ? AND (name, attempt) = (SELECT name, attempts FROM build_step"
                 " WHERE run_id = ? AND position = ?)")
        .bind(1, runId)
        .bind(2, std::int64_t{position})
        .bind(3, runId)
        .bind(4, runId)
        .bind(5, std::int64_t{position})
        .run();
}

void BuildJournal::markUndone(std::int64_t runId, int position, const std::string& before,
                              const std::string& after)
{
    database_.transaction([&] {
        database_
            .prepare("UPDATE build_step SET state = 'undone', message = ? WHERE run_id = ? AND"
                     " position = ?")
            .bind(1, "undone by lfs-wrapper step undo (checkpoint " + after +
                         "; checkpoint restore " + before + " takes it back)")
            .bind(2, runId)
            .bind(3, std::int64_t{position})
            .run();
        database_
            .prepare("UPDATE build_run SET state = 'stopped', message = ? WHERE id = ? AND"
                     " state = 'done'")
            .bind(1, std::string("a step was undone; lfs-wrapper build resume runs it again"))
            .bind(2, runId)
            .run();
        database_
            .prepare("INSERT INTO step_undo (run_id, position, before_checkpoint,"
                     " after_checkpoint, undone_at) VALUES (?, ?, ?, ?, ?)")
            .bind(1, runId)
            .bind(2, std::int64_t{position})
            .bind(3, before)
            .bind(4, after)
            .bind(5, isoUtcNow())
            .run();
    });
}

std::optional<std::string> BuildJournal::takeBackUndo(std::int64_t runId,
                                                      const std::string& checkpoint)
{
    std::optional<std::string> name;
    database_.transaction([&] {
        auto row = database_.prepare(
            "SELECT u.position, s.name FROM step_undo u JOIN build_step s ON"
            " s.run_id = u.run_id AND s.position = u.position WHERE u.run_id = ? AND"
            " u.before_checkpoint = ? AND s.state = 'undone'");
        row.bind(1, runId).bind(2, checkpoint);
        if (!row.step())
            return;
        const auto position = row.integer(0);
        name = row.text(1);
        database_
            .prepare("UPDATE build_step SET state = 'done', message = 'undo taken back' WHERE"
                     " run_id = ? AND position = ?")
            .bind(1, runId)
            .bind(2, position)
            .run();
        database_.prepare("DELETE FROM step_undo WHERE run_id = ? AND position = ?")
            .bind(1, runId)
            .bind(2, position)
            .run();
        auto open = database_.prepare(
            "SELECT COUNT(*) FROM build_step WHERE run_id = ? AND state != 'done'");
        open.bind(1, runId);
        open.step();
        if (open.integer(0) == 0)
            database_.prepare("UPDATE build_run SET state = 'done', message = ? WHERE id = ?")
                .bind(1, std::string("every step done (an undo was taken back)"))
                .bind(2, runId)
                .run();
    });
    return name;
}

void BuildJournal::requestStop(std::int64_t runId, const std::string& how)
{
    database_.prepare("UPDATE build_run SET stop_request = ? WHERE id = ?")
        .bind(1, how)
        .bind(2, runId)
        .run();
}

void BuildJournal::rewindTo(std::int64_t runId, int position, const std::string& message)
{
    database_.transaction([&] {
        database_
            .prepare("UPDATE build_step SET state = 'pending', message = 'rewound' WHERE run_id = ?"
                     " AND position > ?")
            .bind(1, runId)
            .bind(2, std::int64_t{position})
            .run();
        database_.prepare("UPDATE build_step SET state = 'done' WHERE run_id = ? AND position <= ?")
            .bind(1, runId)
            .bind(2, std::int64_t{position})
            .run();
        database_
            .prepare(
                "UPDATE build_run SET state = 'stopped', message = ?, ended_at = ? WHERE id = ?")
            .bind(1, message)
            .bind(2, isoUtcNow())
            .bind(3, runId)
            .run();
    });
}

std::string BuildJournal::stopRequest(std::int64_t runId)
{
    auto row = database_.prepare("SELECT stop_request FROM build_run WHERE id = ?");
    row.bind(1, runId);
    return row.step() ? row.text(0) : std::string();
}

std::optional<StepLimits> BuildJournal::adjustedLimits(std::string* reason)
{
    auto row = database_.prepare(
        "SELECT jobs, memory_bytes, reason FROM limits_adjustment ORDER BY id DESC LIMIT 1");
    if (!row.step())
        return std::nullopt;
    if (reason)
        *reason = row.text(2);
    return StepLimits{static_cast<int>(row.integer(0)), static_cast<std::uint64_t>(row.integer(1))};
}

void BuildJournal::recordLimits(const StepLimits& limits, const std::string& reason)
{
    database_
        .prepare("INSERT INTO limits_adjustment (adjusted_at, jobs, memory_bytes, reason)"
                 " VALUES (?, ?, ?, ?)")
        .bind(1, isoUtcNow())
        .bind(2, std::int64_t{limits.jobs})
        .bind(3, static_cast<std::int64_t>(limits.memoryBytes))
        .bind(4, reason)
        .run();
}

} // namespace lfsw
