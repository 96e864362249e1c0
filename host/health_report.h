// SPDX-License-Identifier: MIT
#pragma once

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "command.h"

namespace lfsw::host {

class Session;

// The checks' lines, "OK    what", "WARN  what", "FAIL  what", and the
// exit status they add up to.
class HealthReport
{
public:
    HealthReport(bool colour, bool json) : colour_(colour), json_(json) {}
    ~HealthReport()
    {
        if (json_)
            printJson({{"failures", failures_}, {"checks", checks_}});
    }
    HealthReport(const HealthReport&) = delete;
    HealthReport& operator=(const HealthReport&) = delete;

    void ok(const std::string& text) { line("OK  ", "\033[32m", text); }
    void warn(const std::string& text) { line("WARN", "\033[33m", text); }
    void fail(const std::string& text)
    {
        ++failures_;
        line("FAIL", "\033[31m", text);
    }
    int failures() const { return failures_; }

private:
    void line(const char* word, const char* colour, const std::string& text)
    {
        if (json_) {
            std::string status = word;
            while (!status.empty() && status.back() == ' ')
                status.pop_back();
            const auto colon = text.find(": ");
            checks_.push_back(
                {{"status", status},
                 {"check", colon == std::string::npos ? text : text.substr(0, colon)},
                 {"message", colon == std::string::npos ? "" : text.substr(colon + 2)}});
            return;
        }
        if (colour_)
            std::cout << colour << word << "\033[0m  " << text << "\n";
        else
            std::cout << word << "  " << text << "\n";
    }

    bool colour_;
    bool json_;
    int failures_ = 0;
    nlohmann::json checks_ = nlohmann::json::array();
};

// The checks of health check, one line each: config and plugins, the state
// database (integrity_check when `thorough`), the store (every object
// re-hashed when `thorough`), backups, resources, processes. Returns the
// failures.
int healthReport(Session& session, bool thorough, HealthReport& report);

} // namespace lfsw::host
