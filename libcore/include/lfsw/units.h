// SPDX-License-Identifier: MIT
// Parsers for the value syntaxes of lfs-wrapper.yaml, shared by the config
// validator and by plugins that take such values as parameters. Each returns
// std::nullopt for text it does not accept.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <lfsw/export.h>

namespace lfsw {

// "30s", "5m", "1h", "7d", "2w", also "1h30m"; a bare number is refused, so
// that "7" never silently means seconds.
LFSW_EXPORT std::optional<std::chrono::seconds> parseDuration(std::string_view text);

// The shortest exact spelling of a duration: 90s -> "1m30s", 604800s -> "7d".
LFSW_EXPORT std::string formatDuration(std::chrono::seconds duration);

// "90%" or "12.5%", from 0 to 100 inclusive; returns the number of percent.
LFSW_EXPORT std::optional<double> parsePercentage(std::string_view text);

// "512K", "4M", "2G", "1T" (powers of 1024, an optional "iB"/"B" suffix) or a
// plain number of bytes.
LFSW_EXPORT std::optional<std::uint64_t> parseSize(std::string_view text);

// "512 B", "1.5 KiB", "3.2 GiB": sizes for people.
LFSW_EXPORT std::string formatBytes(std::uint64_t bytes);

// "true"/"yes"/"on" and "false"/"no"/"off", as YAML 1.1 spells booleans.
LFSW_EXPORT std::optional<bool> parseBool(std::string_view text);

} // namespace lfsw
