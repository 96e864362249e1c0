// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

#include <lfsw/export.h>

namespace lfsw {

// UTC ISO-8601 with milliseconds, "2026-11-25T18:30:01.123Z": how the state
// database and the log file write times (they sort as text).
LFSW_EXPORT std::string isoUtc(std::chrono::system_clock::time_point time);
LFSW_EXPORT std::string isoUtcNow();

} // namespace lfsw
