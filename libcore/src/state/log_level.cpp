// SPDX-License-Identifier: MIT
#include <lfsw/log_level.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace lfsw {

namespace {
constexpr std::array<std::string_view, 6> kNames = {"TRACE",   "DEBUG", "INFO",
                                                    "WARNING", "ERROR", "FATAL"};
}

std::string_view levelName(LogLevel level)
{
    return kNames.at(static_cast<std::size_t>(level));
}

std::optional<LogLevel> parseLogLevel(std::string_view name)
{
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == "WARN")
        upper = "WARNING";
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == upper)
            return static_cast<LogLevel>(i);
    return std::nullopt;
}

} // namespace lfsw
