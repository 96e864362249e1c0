// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <lfsw/alert.h>

#include "config/config.h"
#include "state/logging.h"

namespace lfsw {

class PluginRegistry;
class StateDatabase;

// Delivers queued alerts on its own thread, so that a slow or dead mail
// server never holds up recovery: each outbox row is tried, and on failure
// tried again after `alerts.retry_backoff`, doubled each time, up to
// `alerts.retries` more times; each try's outcome is recorded (alert_sent)
// and the row ends `sent` or `given_up`. The thread has its own database
// connection and its own copy of the config.
class AlertCourier
{
public:
    AlertCourier(const Config& config, const PluginRegistry& registry,
                 std::filesystem::path stateDirectory);
    // Waits for the queue up to drainLimit(), then stops; rows still queued
    // stay `pending` for the daemon.
    ~AlertCourier();
    AlertCourier(const AlertCourier&) = delete;
    AlertCourier& operator=(const AlertCourier&) = delete;

    void deliver(std::int64_t outboxId, const std::string& channel, const Alert& alert);
    // Queues the `pending` rows a process left behind (the daemon does this
    // when it starts).
    int resumePending(StateDatabase& database);
    // Waits until nothing is queued or `limit` has passed; true when empty.
    bool drain(std::chrono::milliseconds limit);
    // How long the destructor waits: every try of one alert with its backoff.
    std::chrono::milliseconds drainLimit() const;

private:
    struct Item {
        std::int64_t id = 0;
        std::string channel;
        Alert alert;
        int tries = 0;
        std::chrono::steady_clock::time_point due;
    };

    void work();
    void attempt(Item& item, StateDatabase& database);

    Config config_; // a private copy: this thread reads it while the owner may reload
    const PluginRegistry& registry_;
    std::filesystem::path stateDirectory_;
    Logger logger_;
    int retries_;
    std::chrono::milliseconds backoff_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Item> queue_;
    int busy_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace lfsw
