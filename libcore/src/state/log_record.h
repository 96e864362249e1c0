// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <lfsw/log_level.h>

namespace lfsw {

// One line of the log file, parsed back: what `logs show` filters and prints.
struct LogRecord {
    std::chrono::system_clock::time_point time;
    LogLevel level = LogLevel::Info;
    std::string channel;
    std::string message;
    std::string line; // the line as written

    // Parses "2026-11-25T18:30:01.123Z ERROR engine: message"; nothing for a
    // line that is not a record.
    static std::optional<LogRecord> parse(std::string_view line);
};

} // namespace lfsw
