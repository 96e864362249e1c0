// SPDX-License-Identifier: MIT
#include "build/prometheus_text.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <tuple>
#include <vector>

#include "base/time_text.h"
#include "build/build_tree.h"
#include "config/config.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

// A label value as the exposition format quotes it.
std::string escaped(const std::string& value)
{
    std::string text;
    for (char c : value) {
        if (c == '\\' || c == '"')
            text += '\\';
        if (c == '\n') {
            text += "\\n";
            continue;
        }
        text += c;
    }
    return text;
}

std::string number(double value)
{
    if (std::isnan(value))
        return "NaN";
    char text[64];
    std::snprintf(text, sizeof text, "%.15g", value);
    return text;
}

double seconds(const std::string& iso)
{
    const auto time = parseIsoUtc(iso);
    if (!time)
        return std::nan("");
    return std::chrono::duration<double>(time->time_since_epoch()).count();
}

} // namespace

PrometheusText::PrometheusText(StateDatabase& database, const Config& config,
                               std::filesystem::path stateDirectory)
    : database_(database), config_(config), stateDirectory_(std::move(stateDirectory))
{
}

void PrometheusText::family(const std::string& name, const char* type, const std::string& help)
{
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusText::sample(const std::string& name, double value, const Labels& labels)
{
    text_ += name;
    if (!labels.empty()) {
        text_ += "{";
        bool first = true;
        for (const auto& [key, label] : labels) {
            text_ += (first ? "" : ",") + key + "=\"" + escaped(label) + "\"";
            first = false;
        }
        text_ += "}";
    }
    text_ += " " + number(value) + "\n";
}

std::string PrometheusText::render()
{
    text_.clear();
    build();
    recovery();
    checkpoints();
    backups();
    jobs();
    alerts();
    resources();
    return text_;
}

void PrometheusText::build()
{
    std::int64_t runId = 0;
    std::string runState;
    {
        auto run = database_.prepare("SELECT id, state FROM build_run ORDER BY id DESC LIMIT 1");
        if (run.step()) {
            runId = run.integer(0);
            runState = run.text(1);
        }
    }
    family("lfs_wrapper_build_running", "gauge",
           "Whether the latest build run is running (1) or not (0).");
    sample("lfs_wrapper_build_running", runState == "running" ? 1 : 0);
    family("lfs_wrapper_build_steps", "gauge", "Steps of the latest build run, by state.");
    for (const char* state :
         {"pending", "running", "done", "failed", "stopped", "interrupted", "undone"}) {
        auto count =
            database_.prepare("SELECT count(*) FROM build_step WHERE run_id = ? AND state = ?");
        count.bind(1, runId).bind(2, std::string(state));
        sample("lfs_wrapper_build_steps", count.step() ? double(count.integer(0)) : 0,
               {{"state", state}});
    }
    {
        auto running = database_.prepare("SELECT name, started_at FROM build_step WHERE"
                                         " run_id = ? AND state = 'running' AND ? = 'running'");
        running.bind(1, runId).bind(2, runState);
        const bool any = running.step();
        const std::string step = any ? running.text(0) : std::string();
        const double started = any ? seconds(running.text(1)) : 0;
        const double now =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        family("lfs_wrapper_current_step_elapsed_seconds", "gauge",
               "How long the running step of the latest run has run.");
        if (any)
            sample("lfs_wrapper_current_step_elapsed_seconds", now - started, {{"step", step}});
        family("lfs_wrapper_current_step_started_timestamp_seconds", "gauge",
               "When the running step of the latest run started.");
        if (any)
            sample("lfs_wrapper_current_step_started_timestamp_seconds", started, {{"step", step}});
    }
    family("lfs_wrapper_steps_done_total", "counter", "Steps that succeeded, in every run kept.");
    {
        auto done = database_.prepare("SELECT count(*) FROM build_step WHERE state = 'done'");
        sample("lfs_wrapper_steps_done_total", done.step() ? double(done.integer(0)) : 0);
    }
    family("lfs_wrapper_steps_failed_total", "counter",
           "Steps that failed, by failure class, in every run kept.");
    {
        auto failed = database_.prepare(
            "SELECT failure_class, count(*) FROM build_step WHERE state IN ('failed',"
            " 'interrupted') GROUP BY failure_class ORDER BY failure_class");
        while (failed.step())
            sample("lfs_wrapper_steps_failed_total", double(failed.integer(1)),
                   {{"failure_class", failed.text(0).empty() ? "unknown" : failed.text(0)}});
    }
    family("lfs_wrapper_last_step_success_timestamp_seconds", "gauge",
           "When a step last succeeded.");
    {
        auto last = database_.prepare("SELECT max(ended_at) FROM build_step WHERE state = 'done'");
        if (last.step() && !last.isNull(0))
            sample("lfs_wrapper_last_step_success_timestamp_seconds", seconds(last.text(0)));
    }
}

void PrometheusText::recovery()
{
    family("lfs_wrapper_recovery_attempts_total", "counter",
           "Recovery chain runs, by condition and outcome.");
    {
        auto attempts = database_.prepare(
            "SELECT condition, outcome, count(*) FROM recovery_attempt GROUP BY condition,"
            " outcome ORDER BY condition, outcome");
        while (attempts.step())
            sample("lfs_wrapper_recovery_attempts_total", double(attempts.integer(2)),
                   {{"condition", attempts.text(0)}, {"outcome", attempts.text(1)}});
    }
    family("lfs_wrapper_incidents_total", "counter", "Incidents, by condition and outcome.");
    {
        auto incidents = database_.prepare(
            "SELECT condition, outcome, count(*) FROM incident GROUP BY condition, outcome"
            " ORDER BY condition, outcome");
        while (incidents.step())
            sample("lfs_wrapper_incidents_total", double(incidents.integer(2)),
                   {{"condition", incidents.text(0)}, {"outcome", incidents.text(1)}});
    }
}

void PrometheusText::checkpoints()
{
    std::vector<Manifest> headers;
    try {
        headers = BuildTree(config_, stateDirectory_).headers();
    } catch (const std::exception&) {
        // No store yet: no checkpoint.
    }
    family("lfs_wrapper_checkpoints", "gauge", "Checkpoints of the build root in the store.");
    sample("lfs_wrapper_checkpoints", double(headers.size()));
    family("lfs_wrapper_checkpoint_last_success_timestamp_seconds", "gauge",
           "When the newest checkpoint was taken.");
    if (!headers.empty())
        sample("lfs_wrapper_checkpoint_last_success_timestamp_seconds",
               seconds(headers.back().created));
    family("lfs_wrapper_checkpoint_last_new_bytes", "gauge",
           "What the newest checkpoint added to the store (new content, deduplicated).");
    if (!headers.empty())
        sample("lfs_wrapper_checkpoint_last_new_bytes",
               static_cast<double>(headers.back().newBytes));
    // A checkpoint after a step starts when the step ends and is dated when
    // it is committed: the difference is how long it took.
    family("lfs_wrapper_checkpoint_last_duration_seconds", "gauge",
           "How long the newest checkpoint taken after a step took.");
    if (!headers.empty()) {
        auto ended = database_.prepare(
            "SELECT max(ended_at) FROM step_attempt WHERE name = ? AND state = 'done' AND"
            " ended_at <= ?");
        ended.bind(1, headers.back().name).bind(2, headers.back().created);
        if (ended.step() && !ended.isNull(0))
            sample("lfs_wrapper_checkpoint_last_duration_seconds",
                   std::max(0.0, seconds(headers.back().created) - seconds(ended.text(0))));
    }
}

void PrometheusText::backups()
{
    family("lfs_wrapper_backups_total", "counter",
           "Backups taken (backup create, the daemon's job), by result.");
    {
        auto counts = database_.prepare(
            "SELECT result, count(*) FROM backup_run GROUP BY result ORDER BY result");
        while (counts.step())
            sample("lfs_wrapper_backups_total", double(counts.integer(1)),
                   {{"result", counts.text(0)}});
    }
    family("lfs_wrapper_backup_last_run_success", "gauge",
           "Whether the latest backup succeeded (1) or failed (0).");
    {
        auto last = database_.prepare("SELECT result FROM backup_run ORDER BY id DESC LIMIT 1");
        if (last.step())
            sample("lfs_wrapper_backup_last_run_success", last.text(0) == "done" ? 1 : 0);
    }
    auto last = database_.prepare("SELECT started_at, ended_at, bytes, new_bytes FROM backup_run"
                                  " WHERE result = 'done' ORDER BY id DESC LIMIT 1");
    const bool any = last.step();
    family("lfs_wrapper_backup_last_success_timestamp_seconds", "gauge",
           "When the latest successful backup ended.");
    if (any)
        sample("lfs_wrapper_backup_last_success_timestamp_seconds", seconds(last.text(1)));
    family("lfs_wrapper_backup_last_duration_seconds", "gauge",
           "How long the latest successful backup took.");
    if (any)
        sample("lfs_wrapper_backup_last_duration_seconds",
               std::max(0.0, seconds(last.text(1)) - seconds(last.text(0))));
    // A plugin backend (restic) does not say: no sample then.
    family("lfs_wrapper_backup_last_bytes", "gauge",
           "What the latest successful backup holds (local backend).");
    if (any && !last.isNull(2))
        sample("lfs_wrapper_backup_last_bytes", double(last.integer(2)));
    family("lfs_wrapper_backup_last_new_bytes", "gauge",
           "What the latest successful backup added to the repository, compressed (local"
           " backend).");
    if (any && !last.isNull(3))
        sample("lfs_wrapper_backup_last_new_bytes", double(last.integer(3)));
}

void PrometheusText::jobs()
{
    // result: "done", the error of a failed run, "running", or "" before
    // the first run.
    std::vector<std::tuple<std::string, double, std::string>> jobs;
    {
        auto rows =
            database_.prepare("SELECT name, last_run_at, result FROM daemon_job ORDER BY name");
        while (rows.step())
            jobs.emplace_back(rows.text(0), seconds(rows.text(1)), rows.text(2));
    }
    family("lfs_wrapper_job_last_run_timestamp_seconds", "gauge",
           "When each scheduled job of the daemon (backup, ...) last ran.");
    for (const auto& [job, at, result] : jobs)
        sample("lfs_wrapper_job_last_run_timestamp_seconds", at, {{"job", job}});
    family("lfs_wrapper_job_last_run_success", "gauge",
           "Whether each job's last finished run succeeded (1) or failed (0).");
    for (const auto& [job, at, result] : jobs)
        if (!result.empty() && result != "running")
            sample("lfs_wrapper_job_last_run_success", result == "done" ? 1 : 0, {{"job", job}});
}

void PrometheusText::alerts()
{
    family("lfs_wrapper_alert_deliveries_total", "counter",
           "Tries to deliver an alert, by channel and result.");
    auto rows = database_.prepare("SELECT channel, result, count(*) FROM alert_sent GROUP BY"
                                  " channel, result ORDER BY channel, result");
    while (rows.step())
        sample("lfs_wrapper_alert_deliveries_total", double(rows.integer(2)),
               {{"channel", rows.text(0)}, {"result", rows.text(1)}});
}

void PrometheusText::resources()
{
    struct Row {
        std::string resource, subject;
        double value = 0;
        std::optional<double> threshold;
    };
    std::vector<Row> usage, pressure;
    std::string takenAt;
    {
        auto rows = database_.prepare(
            "SELECT resource, subject, value, threshold, taken_at FROM resource_sample WHERE"
            " taken_at = (SELECT max(taken_at) FROM resource_sample) ORDER BY resource, subject");
        while (rows.step()) {
            takenAt = rows.text(4);
            Row row{rows.text(0), rows.text(1).empty() ? rows.text(0) : rows.text(1),
                    rows.real(2) / 100, std::nullopt};
            if (!rows.isNull(3))
                row.threshold = rows.real(3) / 100;
            (row.resource == "pressure" ? pressure : usage).push_back(std::move(row));
        }
    }
    family("lfs_wrapper_resource_usage_ratio", "gauge",
           "The latest sample of each watched resource (disk per file system, memory, cpu).");
    for (const auto& row : usage)
        sample("lfs_wrapper_resource_usage_ratio", row.value,
               {{"resource", row.resource}, {"subject", row.subject}});
    family("lfs_wrapper_resource_threshold_ratio", "gauge",
           "The threshold each resource is watched against (monitoring.thresholds).");
    for (const auto& row : usage)
        if (row.threshold)
            sample("lfs_wrapper_resource_threshold_ratio", *row.threshold,
                   {{"resource", row.resource}, {"subject", row.subject}});
    family("lfs_wrapper_pressure_stall_ratio", "gauge",
           "The kernel's pressure stall information of the latest sample.");
    for (const auto& row : pressure)
        sample("lfs_wrapper_pressure_stall_ratio", row.value, {{"pressure", row.subject}});
    family("lfs_wrapper_resource_sample_timestamp_seconds", "gauge",
           "When the latest resource sample was taken.");
    if (!takenAt.empty())
        sample("lfs_wrapper_resource_sample_timestamp_seconds", seconds(takenAt));
}

} // namespace lfsw
