// SPDX-License-Identifier: MIT
#include "recovery/incident_log.h"

#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

constexpr const char* kIncidentColumns =
    "SELECT id, condition, failure_class, step, COALESCE(run_id, 0), evidence, source, opened_at,"
    " COALESCE(closed_at, ''), outcome, message FROM incident";

Incident incidentFrom(Statement& row)
{
    Incident incident;
    incident.id = row.integer(0);
    incident.condition = row.text(1);
    incident.failureClass = row.text(2);
    incident.step = row.text(3);
    incident.runId = row.integer(4);
    const auto evidence = nlohmann::json::parse(row.text(5), nullptr, false);
    if (evidence.is_object())
        for (const auto& [key, value] : evidence.items())
            if (value.is_string())
                incident.evidence[key] = value.get<std::string>();
    incident.source = row.text(6);
    incident.openedAt = row.text(7);
    incident.closedAt = row.text(8);
    incident.outcome = row.text(9);
    incident.message = row.text(10);
    return incident;
}

} // namespace

std::optional<std::chrono::seconds> Incident::timeToRecover() const
{
    if (outcome != "recovered" || closedAt.empty())
        return std::nullopt;
    const auto opened = parseIsoUtc(openedAt);
    const auto closed = parseIsoUtc(closedAt);
    if (!opened || !closed)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(*closed - *opened);
}

IncidentLog::IncidentLog(StateDatabase& database) : database_(database) {}

std::int64_t IncidentLog::open(const Event& event, const std::string& source)
{
    {
        auto existing = database_.prepare("SELECT id FROM incident WHERE condition = ? AND step = ?"
                                          " AND closed_at IS NULL ORDER BY id DESC LIMIT 1");
        existing.bind(1, event.condition).bind(2, event.step);
        if (existing.step())
            return existing.integer(0);
    }
    std::int64_t runId = 0;
    if (!event.step.empty()) {
        auto run = database_.prepare("SELECT COALESCE(max(id), 0) FROM build_run");
        if (run.step())
            runId = run.integer(0);
    }
    nlohmann::json evidence = nlohmann::json::object();
    for (const auto& [key, value] : event.evidence)
        evidence[key] = value;
    auto insert = database_.prepare(
        "INSERT INTO incident (condition, failure_class, step, run_id, evidence, source, opened_at,"
        " outcome) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')");
    insert.bind(1, event.condition)
        .bind(2, event.failureClass)
        .bind(3, event.step)
        .bind(5, evidence.dump())
        .bind(6, source)
        .bind(7, isoUtcNow());
    if (runId > 0)
        insert.bind(4, runId);
    else
        insert.bindNull(4);
    insert.run();
    return database_.lastInsertId();
}

void IncidentLog::update(std::int64_t id, const std::string& outcome, const std::string& message,
                         bool close)
{
    auto statement = database_.prepare(
        close ? "UPDATE incident SET outcome = ?, message = ?, closed_at = ? WHERE id = ?"
              : "UPDATE incident SET outcome = ?, message = ? WHERE id = ?");
    statement.bind(1, outcome).bind(2, message);
    if (close)
        statement.bind(3, isoUtcNow()).bind(4, id);
    else
        statement.bind(3, id);
    statement.run();
}

void IncidentLog::closeOpen(const std::string& condition, const std::string& step,
                            const std::string& outcome, const std::string& message)
{
    auto statement =
        database_.prepare("UPDATE incident SET outcome = ?, message = ?, closed_at = ?"
                          " WHERE closed_at IS NULL AND step = ? AND (? = '' OR condition = ?)");
    statement.bind(1, outcome)
        .bind(2, message)
        .bind(3, isoUtcNow())
        .bind(4, step)
        .bind(5, condition)
        .bind(6, condition)
        .run();
}

void IncidentLog::loadAttempts(Incident& incident)
{
    auto attempts = database_.prepare(
        "SELECT id, chain_key, attempt, started_at, COALESCE(ended_at, ''), outcome, message"
        " FROM recovery_attempt WHERE incident_id = ? ORDER BY id");
    attempts.bind(1, incident.id);
    while (attempts.step()) {
        IncidentAttempt attempt{attempts.integer(0),
                                attempts.text(1),
                                static_cast<int>(attempts.integer(2)),
                                attempts.text(3),
                                attempts.text(4),
                                attempts.text(5),
                                attempts.text(6),
                                {}};
        auto actions = database_.prepare(
            "SELECT position, action, params, started_at, COALESCE(ended_at, ''), result, message"
            " FROM recovery_journal WHERE attempt_id = ? ORDER BY position");
        actions.bind(1, attempt.id);
        while (actions.step())
            attempt.actions.push_back({static_cast<int>(actions.integer(0)), actions.text(1),
                                       actions.text(2), actions.text(3), actions.text(4),
                                       actions.text(5), actions.text(6)});
        incident.attempts.push_back(std::move(attempt));
    }
}

std::optional<Incident> IncidentLog::find(std::int64_t id)
{
    auto row = database_.prepare(std::string(kIncidentColumns) + " WHERE id = ?");
    row.bind(1, id);
    if (!row.step())
        return std::nullopt;
    Incident incident = incidentFrom(row);
    loadAttempts(incident);
    return incident;
}

std::optional<Incident> IncidentLog::latest()
{
    std::int64_t id = 0;
    {
        auto row = database_.prepare("SELECT COALESCE(max(id), 0) FROM incident");
        if (row.step())
            id = row.integer(0);
    }
    return id > 0 ? find(id) : std::nullopt;
}

std::vector<Incident> IncidentLog::list(int limit)
{
    std::vector<Incident> incidents;
    {
        auto rows = database_.prepare(std::string(kIncidentColumns) + " ORDER BY id DESC LIMIT ?");
        rows.bind(1, std::int64_t{limit});
        while (rows.step())
            incidents.push_back(incidentFrom(rows));
    }
    for (auto& incident : incidents)
        loadAttempts(incident);
    return incidents;
}

} // namespace lfsw
