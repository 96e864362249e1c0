// SPDX-License-Identifier: MIT
#include "state/log_record.h"

#include "base/time_text.h"

namespace lfsw {

std::optional<LogRecord> LogRecord::parse(std::string_view line)
{
    // 0123456789012345678901234
    // 2026-11-25T18:30:01.123Z LEVEL channel: message
    constexpr std::size_t kStampLength = 24;
    if (line.size() < kStampLength + 2 || line[4] != '-' || line[7] != '-' || line[10] != 'T' ||
        line[13] != ':' || line[16] != ':' || line[19] != '.' || line[23] != 'Z' || line[24] != ' ')
        return std::nullopt;
    auto time = parseIsoUtc(line.substr(0, kStampLength));
    if (!time)
        return std::nullopt;

    std::string_view rest = line.substr(kStampLength + 1);
    auto space = rest.find(' ');
    if (space == std::string_view::npos)
        return std::nullopt;
    auto level = parseLogLevel(rest.substr(0, space));
    if (!level)
        return std::nullopt;
    rest.remove_prefix(space + 1);
    auto colon = rest.find(": ");
    if (colon == std::string_view::npos)
        return std::nullopt;

    LogRecord record;
    record.time = *time;
    record.level = *level;
    record.channel = std::string(rest.substr(0, colon));
    record.message = std::string(rest.substr(colon + 2));
    record.line = std::string(line);
    return record;
}

} // namespace lfsw
