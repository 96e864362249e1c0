// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>

#include <lfsw/log_level.h>

namespace lfsw {

class Config;

// A component's logger: one per object, carrying its channel ("engine",
// "plugins", "config", "action.run_command", ...).
using Logger = boost::log::sources::severity_channel_logger_mt<LogLevel, std::string>;

Logger makeLogger(const std::string& channel);

#define LFSW_LOG(logger, level) BOOST_LOG_SEV((logger), ::lfsw::LogLevel::level)

// Where log records go: the console (human-readable, coloured on a terminal)
// and, once attachFile() is called, the log file in the state directory (one
// record a line: UTC timestamp with milliseconds, level, channel, message;
// rotated by size into `logs/`). Owned by the host for the life of a command;
// the sinks it added are removed when it is destroyed.
class Logging
{
public:
    static constexpr const char* kFileName = "lfs-wrapper.log";
    static constexpr const char* kArchiveDirectory = "logs";

    Logging(LogLevel consoleLevel, bool colour);
    ~Logging();
    Logging(const Logging&) = delete;
    Logging& operator=(const Logging&) = delete;

    // Changes what reaches the console (the file is not affected).
    void setConsoleLevel(LogLevel level);

    // Writes to the log file of `stateDirectory` as the config's `logging.*`
    // keys say (level, rotate_size, keep).
    void attachFile(const std::filesystem::path& stateDirectory, const Config& config);

private:
    struct Sinks;
    Sinks* sinks_;
};

} // namespace lfsw
