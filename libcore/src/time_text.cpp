// SPDX-License-Identifier: MIT
#include "time_text.h"

#include <cstdio>
#include <ctime>

namespace lfsw {

std::string isoUtc(std::chrono::system_clock::time_point time)
{
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis % 1000));
    return text;
}

std::string isoUtcNow()
{
    return isoUtc(std::chrono::system_clock::now());
}

} // namespace lfsw
