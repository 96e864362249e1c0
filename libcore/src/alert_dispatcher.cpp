// SPDX-License-Identifier: MIT
#include "alert_dispatcher.h"

#include <algorithm>

#include "config.h"
#include "host_context.h"
#include "plugin_registry.h"
#include "state_database.h"
#include "time_text.h"

namespace lfsw {

AlertDispatcher::AlertDispatcher(const Config& config, const PluginRegistry& registry,
                                 StateDatabase& database, std::filesystem::path stateDirectory)
    : config_(config), registry_(registry), database_(database),
      stateDirectory_(std::move(stateDirectory)), logger_(makeLogger("alerts"))
{
}

int AlertDispatcher::send(const Alert& alert, BuildControl& build)
{
    const auto triggers = config_.list("alerts.triggers");
    if (std::find(triggers.begin(), triggers.end(), alert.event.condition) == triggers.end())
        return 0;
    int accepted = 0;
    for (const auto& method : config_.list("alerts.methods")) {
        auto channel = registry_.alertChannel(method);
        Result result = Result::failed("no loaded plugin provides alert channel '" + method + "'");
        if (channel) {
            HostContext context(config_, alert.event, Params(), 0, stateDirectory_, build,
                                "alert." + method);
            result = channel->send(alert, context);
        }
        if (result.status() == Result::Status::Failed)
            LFSW_LOG(logger_, Warning)
                << "alert channel " << method << " failed: " << result.message();
        else
            ++accepted;
        database_
            .prepare(
                "INSERT INTO alert_sent (sent_at, channel, condition, subject, result, message)"
                " VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, isoUtcNow())
            .bind(2, method)
            .bind(3, alert.event.condition)
            .bind(4, alert.subject)
            .bind(5, std::string(statusName(result.status())))
            .bind(6, result.message())
            .run();
    }
    return accepted;
}

} // namespace lfsw
