// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "state/logging.h"
#include "state/state_database.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace lfsw {

// Publishes the state directory's metrics (PrometheusText) as
// `monitoring.prometheus` says: `textfile: DIR` writes DIR/lfs_wrapper.prom
// atomically (a temporary name, then rename: node_exporter's textfile
// collector convention) whenever publish() is called — after every step and
// sample; `listen: ADDR:PORT` serves GET /metrics (libmicrohttpd, its own
// thread and its own database connection) from start() until destruction.
class MetricsPublisher
{
public:
    static constexpr const char* kTextfileName = "lfs_wrapper.prom";

    MetricsPublisher(const Config& config, std::filesystem::path stateDirectory);
    ~MetricsPublisher();
    MetricsPublisher(const MetricsPublisher&) = delete;
    MetricsPublisher& operator=(const MetricsPublisher&) = delete;

    // Starts serving when `listen` is set. Throws std::runtime_error naming
    // the address and why ("127.0.0.1:9101 is in use"), so that a process
    // told to serve metrics refuses to run without them.
    void start();
    // Writes the textfile when `textfile` is set; a directory that cannot be
    // written is warned about once, and monitoring goes on.
    void publish(StateDatabase& database);
    const std::string& listenAddress() const { return listen_; }

    // libmicrohttpd's request callback.
    static int answer(void* self, MHD_Connection* connection, const char* url, const char* method);

private:
    std::string render(StateDatabase& database);

    Config config_; // a copy: the server thread reads it
    std::filesystem::path stateDirectory_;
    std::string textfile_;
    std::string listen_;
    int socket_ = -1;
    MHD_Daemon* server_ = nullptr;
    std::optional<StateDatabase> serverDatabase_; // the server thread's connection
    std::mutex serving_;
    bool warned_ = false;
    Logger logger_;
};

} // namespace lfsw
