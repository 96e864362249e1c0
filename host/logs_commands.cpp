// SPDX-License-Identifier: MIT
// logs show
#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include <sys/stat.h>

#include <lfsw/units.h>

#include "command.h"
#include "session.h"
#include "state/log_record.h"
#include "state/logging.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

struct Filter {
    LogLevel level = LogLevel::Trace;
    std::optional<std::chrono::system_clock::time_point> since;
    std::string channel;

    bool accepts(const LogRecord& record) const
    {
        if (record.level < level)
            return false;
        if (since && record.time < *since)
            return false;
        if (!channel.empty() && record.channel != channel &&
            record.channel.rfind(channel + ".", 0) != 0)
            return false;
        return true;
    }
};

// Prints the records of `in` that pass; returns how many it printed.
std::size_t printMatching(std::istream& in, const Filter& filter)
{
    std::size_t printed = 0;
    for (std::string line; std::getline(in, line);) {
        auto record = LogRecord::parse(line);
        if (record && filter.accepts(*record)) {
            std::cout << record->line << "\n";
            ++printed;
        }
    }
    return printed;
}

int show(Session& session, const po::variables_map& values)
{
    Filter filter;
    if (values.count("level")) {
        auto level = parseLogLevel(values["level"].as<std::string>());
        if (!level) {
            std::cerr << "lfs-wrapper: --level: unknown level '"
                      << values["level"].as<std::string>()
                      << "' (expected TRACE, DEBUG, INFO, WARNING, ERROR or FATAL)\n";
            return kExitUsage;
        }
        filter.level = *level;
    }
    if (values.count("last")) {
        auto duration = parseDuration(values["last"].as<std::string>());
        if (!duration) {
            std::cerr << "lfs-wrapper: --last: expected a duration such as 30m, 1h or 2d, found '"
                      << values["last"].as<std::string>() << "'\n";
            return kExitUsage;
        }
        filter.since = std::chrono::system_clock::now() - *duration;
    }
    if (values.count("channel"))
        filter.channel = values["channel"].as<std::string>();

    const auto directory = session.stateDirectory();
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(directory / Logging::kArchiveDirectory, error))
        if (entry.path().extension() == ".log")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end()); // names carry the rotation time
    const auto active = directory / Logging::kFileName;
    files.push_back(active);
    for (const auto& file : files) {
        std::ifstream in(file);
        printMatching(in, filter);
    }
    std::cout << std::flush;
    if (!values.count("follow"))
        return kExitOk;

    // Follow the active file, reopening it when it is rotated.
    std::ifstream in(active);
    in.seekg(0, std::ios::end);
    struct stat followed {
    };
    ::stat(active.c_str(), &followed);
    std::string partial;
    while (true) {
        std::string line;
        while (std::getline(in, line)) {
            if (in.eof()) { // no newline yet: keep the partial line for later
                partial += line;
                break;
            }
            partial += line;
            auto record = LogRecord::parse(partial);
            if (record && filter.accepts(*record))
                std::cout << record->line << std::endl;
            partial.clear();
        }
        in.clear();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        struct stat now {
        };
        if (::stat(active.c_str(), &now) == 0 &&
            (now.st_ino != followed.st_ino || now.st_size < in.tellg())) {
            in = std::ifstream(active);
            followed = now;
            partial.clear();
        }
    }
}

} // namespace

void addLogsCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"logs show", "[--level LEVEL] [--last DURATION] [--channel NAME] [--follow]",
         "Show records of the log file, filtered",
         "Reads the log file in the state directory and its rotated files in logs/.\n"
         "--level ERROR keeps ERROR and more severe records; --last 1h keeps the records\n"
         "of the last hour; --channel engine keeps the engine channel and its\n"
         "sub-channels; --follow waits for new records (Ctrl-C ends it).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()(
                 "level", po::value<std::string>()->value_name("LEVEL"),
                 "least severe level shown: TRACE, DEBUG, INFO, WARNING, ERROR, FATAL")(
                 "last", po::value<std::string>()->value_name("DURATION"),
                 "only records newer than this (30m, 1h, 7d)")(
                 "channel", po::value<std::string>()->value_name("NAME"),
                 "only this channel (engine, plugins, action.run_command, ...)")(
                 "follow,f", "keep printing new records");
         },
         show});
}

} // namespace lfsw::host
