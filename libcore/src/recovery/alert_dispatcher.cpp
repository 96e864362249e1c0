// SPDX-License-Identifier: MIT
#include "recovery/alert_dispatcher.h"

#include <algorithm>

#include <lfsw/units.h>

#include "base/file_content.h"
#include "base/time_text.h"
#include "config/config.h"
#include "plugin/plugin_registry.h"
#include "recovery/alert_courier.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

constexpr std::size_t kLogTailLines = 50;

} // namespace

AlertDispatcher::AlertDispatcher(const Config& config, const PluginRegistry& registry,
                                 StateDatabase& database, std::filesystem::path stateDirectory)
    : config_(config), registry_(registry), database_(database),
      stateDirectory_(std::move(stateDirectory)), logger_(makeLogger("alerts"))
{
}

AlertDispatcher::~AlertDispatcher() = default;

AlertCourier& AlertDispatcher::courier()
{
    if (!courier_)
        courier_ = std::make_unique<AlertCourier>(config_, registry_, stateDirectory_);
    return *courier_;
}

int AlertDispatcher::send(Alert alert, std::int64_t incidentId)
{
    const auto triggers = config_.list("alerts.triggers");
    if (!alert.givenUp &&
        std::find(triggers.begin(), triggers.end(), alert.event.condition) == triggers.end())
        return 0;

    // Escalation: primary always, secondary from the second attempt, emergency
    // once recovery has given up.
    // A contact that names an alert channel ("matrix", "irc") is that
    // channel, added to alerts.methods for this alert.
    const int level = alert.givenUp ? 3 : alert.attempt >= 2 ? 2 : 1;
    const char* contactKeys[] = {"alerts.contacts.primary", "alerts.contacts.secondary",
                                 "alerts.contacts.emergency"};
    auto methods = config_.list("alerts.methods");
    for (int i = 0; i < 3; ++i) {
        const auto contact = config_.string(contactKeys[i]);
        if (!(i == 0 || (i == 1 && level >= 2) || (i == 2 && level == 3)) || contact.empty())
            continue;
        auto& into = registry_.alertChannel(contact) ? methods : alert.contacts;
        if (std::find(into.begin(), into.end(), contact) == into.end())
            into.push_back(contact);
    }
    if (auto log = alert.event.evidence.find("log_file"); log != alert.event.evidence.end())
        alert.logTail = lastLines(log->second, kLogTailLines);
    if (alert.resumeCommand.empty())
        alert.resumeCommand =
            alert.event.step.empty() ? "lfs-wrapper recovery status" : "lfs-wrapper build resume";

    const std::string repeatKey = alert.event.condition + "|" + alert.event.failureClass + "|" +
                                  alert.event.step + "|" + std::to_string(level) + "|" +
                                  alert.subject;
    const auto repeatAfter = *parseDuration(config_.string("alerts.repeat_after"));
    bool repeated = false;
    {
        // Finalized before the writes below: a statement left open would
        // hold a read snapshot that cannot become a write while the courier
        // writes (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out).
        auto recent = database_.prepare(
            "SELECT count(*) FROM alert_outbox WHERE repeat_key = ? AND created_at >= ?");
        recent.bind(1, repeatKey).bind(2, isoUtc(std::chrono::system_clock::now() - repeatAfter));
        repeated = recent.step() && recent.integer(0) > 0;
    }
    if (repeated) {
        LFSW_LOG(logger_, Info) << "alert not repeated within alerts.repeat_after: "
                                << alert.subject;
        return 0;
    }

    std::string recipients;
    for (const auto& contact : alert.contacts)
        recipients += (recipients.empty() ? "" : ",") + contact;
    const auto payload = alertToJson(alert);
    int queued = 0;
    for (const auto& method : methods) {
        std::int64_t id = 0;
        database_.transaction([&] {
            auto insert = database_.prepare(
                "INSERT INTO alert_outbox (created_at, channel, condition, repeat_key, "
                "recipients, subject, payload, state, next_try_at, incident_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)");
            insert.bind(1, isoUtcNow())
                .bind(2, method)
                .bind(3, alert.event.condition)
                .bind(4, repeatKey)
                .bind(5, recipients)
                .bind(6, alert.subject)
                .bind(7, payload)
                .bind(8, isoUtcNow());
            if (incidentId > 0)
                insert.bind(9, incidentId);
            else
                insert.bindNull(9);
            insert.run();
            id = database_.lastInsertId();
        });
        courier().deliver(id, method, alert);
        ++queued;
    }
    return queued;
}

} // namespace lfsw
