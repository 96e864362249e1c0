// SPDX-License-Identifier: MIT
#include "recovery/alert_courier.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <lfsw/build_control.h>
#include <lfsw/units.h>

#include "base/time_text.h"
#include "plugin/host_context.h"
#include "plugin/plugin_registry.h"
#include "state/state_database.h"

namespace lfsw {

namespace {

// Alert channels are not recovery actions: they get a BuildControl that can
// do nothing.
class NoBuildControl final : public BuildControl
{
public:
    bool supervising() const override { return false; }
    Result stopBuild(bool) override { return refuse(); }
    Result restartStep() override { return refuse(); }
    StepLimits limits() const override { return {}; }
    void adjustLimits(const StepLimits&, const std::string&) override {}
    Result createCheckpoint(const std::string&) override { return refuse(); }
    Result restoreCheckpoint(const std::string&) override { return refuse(); }
    Result cleanEnvironment(bool) override { return refuse(); }
    Result freeResources() override { return refuse(); }
    Result repairFromBackup(const std::vector<std::string>&) override { return refuse(); }

private:
    static Result refuse() { return Result::notApplicable("alert channels do not control builds"); }
};

Config privateCopy(const Config& config)
{
    YAML::Emitter out;
    out << config.effective();
    return Config::fromString(out.c_str(), config.sourceName(), config.file());
}

Alert alertFromJson(const std::string& text)
{
    auto json = nlohmann::json::parse(text);
    Alert alert;
    alert.subject = json.value("subject", "");
    alert.body = json.value("body", "");
    alert.severity = parseLogLevel(json.value("severity", "ERROR")).value_or(LogLevel::Error);
    alert.event.condition = json.value("condition", "");
    alert.event.failureClass = json.value("failure_class", "");
    alert.event.step = json.value("step", "");
    alert.event.evidence = json.value("evidence", std::map<std::string, std::string>{});
    alert.attempt = json.value("attempt", 0);
    alert.givenUp = json.value("given_up", false);
    alert.contacts = json.value("contacts", std::vector<std::string>{});
    alert.logTail = json.value("log_tail", std::vector<std::string>{});
    alert.resumeCommand = json.value("resume_command", "");
    return alert;
}

} // namespace

AlertCourier::AlertCourier(const Config& config, const PluginRegistry& registry,
                           std::filesystem::path stateDirectory)
    : config_(privateCopy(config)), registry_(registry), stateDirectory_(std::move(stateDirectory)),
      logger_(makeLogger("alerts")), retries_(static_cast<int>(config.integer("alerts.retries"))),
      backoff_(std::chrono::duration_cast<std::chrono::milliseconds>(
          *parseDuration(config.string("alerts.retry_backoff")))),
      thread_([this] { work(); })
{
}

AlertCourier::~AlertCourier()
{
    std::size_t waiting = 0;
    {
        std::lock_guard lock(mutex_);
        waiting = queue_.size() + static_cast<std::size_t>(busy_);
    }
    if (waiting > 0 && !drain(std::chrono::milliseconds(200)))
        LFSW_LOG(logger_, Info) << "delivering " << waiting << " alert(s) before exiting (at most "
                                << formatDuration(std::chrono::duration_cast<std::chrono::seconds>(
                                       drainLimit()))
                                << ")";
    if (!drain(drainLimit()))
        LFSW_LOG(logger_, Warning)
            << "alerts still queued at exit stay pending in the state database; "
               "the daemon sends them when it starts";
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::chrono::milliseconds AlertCourier::drainLimit() const
{
    auto timeout = std::max({*parseDuration(config_.string("alerts.email.timeout")),
                             *parseDuration(config_.string("alerts.webhook.timeout")),
                             *parseDuration(config_.string("alerts.irc.timeout")),
                             *parseDuration(config_.string("alerts.matrix.timeout"))});
    auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(timeout) * (retries_ + 1) +
                 backoff_ * ((1 << std::min(retries_, 16)) - 1) + std::chrono::seconds(1);
    return std::min<std::chrono::milliseconds>(limit, std::chrono::minutes(5));
}

void AlertCourier::deliver(std::int64_t outboxId, const std::string& channel, const Alert& alert)
{
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({outboxId, channel, alert, 0, std::chrono::steady_clock::now()});
    }
    changed_.notify_all();
}

int AlertCourier::resumePending(StateDatabase& database)
{
    int resumed = 0;
    auto row = database.prepare(
        "SELECT id, channel, payload, tries FROM alert_outbox WHERE state = 'pending' ORDER BY id");
    std::lock_guard lock(mutex_);
    while (row.step()) {
        try {
            queue_.push_back({row.integer(0), row.text(1), alertFromJson(row.text(2)),
                              static_cast<int>(row.integer(3)), std::chrono::steady_clock::now()});
            ++resumed;
        } catch (const std::exception& e) {
            LFSW_LOG(logger_, Warning)
                << "alert " << row.integer(0) << " cannot be read back: " << e.what();
        }
    }
    changed_.notify_all();
    return resumed;
}

bool AlertCourier::drain(std::chrono::milliseconds limit)
{
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return queue_.empty() && busy_ == 0; });
}

void AlertCourier::work()
{
    std::optional<StateDatabase> database;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_)
            return;
        if (queue_.empty()) {
            changed_.wait(lock);
            continue;
        }
        auto next = std::min_element(queue_.begin(), queue_.end(),
                                     [](const Item& a, const Item& b) { return a.due < b.due; });
        if (next->due > std::chrono::steady_clock::now()) {
            changed_.wait_until(lock, next->due);
            continue;
        }
        Item item = std::move(*next);
        queue_.erase(next);
        ++busy_;
        lock.unlock();
        try {
            if (!database)
                database.emplace(stateDirectory_, true);
            attempt(item, *database);
        } catch (const std::exception& e) {
            LFSW_LOG(logger_, Error)
                << "alert " << item.id << " via " << item.channel << ": " << e.what();
            item.tries = retries_ + 1;
        }
        lock.lock();
        --busy_;
        if (item.tries > 0 && item.tries <= retries_)
            queue_.push_back(std::move(item));
        changed_.notify_all();
    }
}

void AlertCourier::attempt(Item& item, StateDatabase& database)
{
    NoBuildControl noBuild;
    Result result =
        Result::failed("no loaded plugin provides alert channel '" + item.channel + "'");
    if (auto channel = registry_.alertChannel(item.channel)) {
        HostContext context(config_, item.alert.event, Params(), item.alert.attempt,
                            stateDirectory_, noBuild, "alert." + item.channel);
        result = channel->send(item.alert, context);
    }
    ++item.tries;
    const bool failed = !result.ok();
    // A rejected delivery (a bad token, an unknown room) fails the same way
    // on every try: it is given up at once.
    const bool rejected = result.status() == Result::Status::Rejected;
    std::string state =
        failed ? (rejected || item.tries > retries_ ? "given_up" : "pending") : "sent";
    auto wait = backoff_ * (1 << std::min(item.tries - 1, 16));
    item.due = std::chrono::steady_clock::now() + wait;
    if (failed)
        LFSW_LOG(logger_, Warning)
            << "alert channel " << item.channel << " " << statusName(result.status()) << " (try "
            << item.tries << " of " << retries_ + 1 << "): " << result.message()
            << (state == "given_up" ? "; giving up on this alert" : "");
    database.transaction([&] {
        database
            .prepare("UPDATE alert_outbox SET state = ?, tries = ?, next_try_at = ?, "
                     "last_error = ? WHERE id = ?")
            .bind(1, state)
            .bind(2, static_cast<std::int64_t>(item.tries))
            .bind(3, isoUtc(std::chrono::system_clock::now() + wait))
            .bind(4, failed ? result.message() : std::string())
            .bind(5, item.id)
            .run();
        database
            .prepare(
                "INSERT INTO alert_sent (sent_at, channel, condition, subject, result, message)"
                " VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, isoUtcNow())
            .bind(2, item.channel)
            .bind(3, item.alert.event.condition)
            .bind(4, item.alert.subject)
            .bind(5, std::string(statusName(result.status())))
            .bind(6, result.message())
            .run();
    });
    if (!failed)
        item.tries = 0; // delivered: not queued again
    else if (rejected)
        item.tries = retries_ + 1; // not queued again
}

} // namespace lfsw
