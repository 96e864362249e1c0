// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lfsw {

// UTC ISO-8601 with milliseconds, "2026-11-25T18:30:01.123Z": how the state
// database and the log file write times (they sort as text).
std::string isoUtc(std::chrono::system_clock::time_point time);
std::string isoUtcNow();
// Reads what isoUtc() wrote (milliseconds optional), years 1970 to 2200;
// nothing when it is not that.
std::optional<std::chrono::system_clock::time_point> parseIsoUtc(std::string_view text);

} // namespace lfsw
