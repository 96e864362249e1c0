// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

#include <lfsw/export.h>

namespace lfsw {

// Severity of a log record, least severe first. Filters such as
// `logs show --level ERROR` keep a level and everything more severe.
enum class LogLevel { Trace, Debug, Info, Warning, Error, Fatal };

// "TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "FATAL".
LFSW_EXPORT std::string_view levelName(LogLevel level);

// Parses a level name, case-insensitively; "WARN" is accepted for "WARNING".
LFSW_EXPORT std::optional<LogLevel> parseLogLevel(std::string_view name);

} // namespace lfsw
