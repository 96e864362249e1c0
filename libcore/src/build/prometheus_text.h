// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace lfsw {

class Config;
class StateDatabase;

// The state directory as Prometheus metrics, in the text exposition format
// (version 0.0.4): one `lfs_wrapper_` prefix, base units (seconds, bytes,
// ratios), `_total` for counters, labels only of bounded sets (step names
// of the plan, conditions, channels, resources). Read from the state
// database and the checkpoint store each time; nothing is kept in between.
class PrometheusText
{
public:
    PrometheusText(StateDatabase& database, const Config& config,
                   std::filesystem::path stateDirectory);

    std::string render();

private:
    using Labels = std::map<std::string, std::string>;

    // Starts a family: its HELP and TYPE lines.
    void family(const std::string& name, const char* type, const std::string& help);
    void sample(const std::string& name, double value, const Labels& labels = {});

    void build();
    void recovery();
    void checkpoints();
    void backups();
    void jobs();
    void alerts();
    void resources();

    StateDatabase& database_;
    const Config& config_;
    std::filesystem::path stateDirectory_;
    std::string text_;
};

} // namespace lfsw
