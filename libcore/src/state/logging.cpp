// SPDX-License-Identifier: MIT
#include "state/logging.h"

#include <chrono>
#include <iostream>

#include <lfsw/units.h>

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/function.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_file_backend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>

#include "base/time_text.h"
#include "config/config.h"

namespace lfsw {

namespace logging = boost::log;
namespace sinks = boost::log::sinks;

namespace {

BOOST_LOG_ATTRIBUTE_KEYWORD(severityKeyword, "Severity", LogLevel)
BOOST_LOG_ATTRIBUTE_KEYWORD(channelKeyword, "Channel", std::string)
BOOST_LOG_ATTRIBUTE_KEYWORD(timeKeyword, "Time", std::chrono::system_clock::time_point)

using ConsoleSink = sinks::synchronous_sink<sinks::text_ostream_backend>;
using FileSink = sinks::synchronous_sink<sinks::text_file_backend>;

LogLevel levelOf(const boost::log::record_view& record)
{
    auto level = record[severityKeyword];
    return level ? level.get() : LogLevel::Info;
}

std::string channelOf(const boost::log::record_view& record)
{
    auto channel = record[channelKeyword];
    return channel ? channel.get() : std::string("-");
}

std::string messageOf(const boost::log::record_view& record)
{
    auto message = record[boost::log::expressions::smessage];
    return message ? message.get() : std::string();
}

// Messages are one line in the file: embedded newlines would split a record.
std::string oneLine(std::string text)
{
    for (auto& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    return text;
}

} // namespace

struct Logging::Sinks {
    boost::shared_ptr<ConsoleSink> console;
    boost::shared_ptr<FileSink> file;
};

Logger makeLogger(const std::string& channel)
{
    return Logger(logging::keywords::channel = channel);
}

Logging::Logging(LogLevel consoleLevel, bool colour) : sinks_(new Sinks)
{
    auto core = logging::core::get();
    core->add_global_attribute("Time",
                               logging::attributes::make_function(&std::chrono::system_clock::now));

    auto backend = boost::make_shared<sinks::text_ostream_backend>();
    backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
    backend->auto_flush(true);
    sinks_->console = boost::make_shared<ConsoleSink>(backend);
    sinks_->console->set_filter(severityKeyword >= consoleLevel);
    sinks_->console->set_formatter(
        [colour](const logging::record_view& record, logging::formatting_ostream& out) {
            const LogLevel level = levelOf(record);
            const std::string channel = channelOf(record);
            const char* start = "";
            const char* prefix = "";
            if (level >= LogLevel::Error) {
                start = "\033[1;31m";
                prefix = "error: ";
            } else if (level == LogLevel::Warning) {
                start = "\033[1;33m";
                prefix = "warning: ";
            } else if (level <= LogLevel::Debug) {
                start = "\033[2m";
                prefix = level == LogLevel::Debug ? "debug: " : "trace: ";
            }
            if (colour && *start)
                out << start << prefix << "\033[0m";
            else
                out << prefix;
            if (level <= LogLevel::Debug || level >= LogLevel::Warning)
                out << "[" << channel << "] ";
            out << messageOf(record);
        });
    core->add_sink(sinks_->console);
}

Logging::~Logging()
{
    auto core = logging::core::get();
    if (sinks_->file) {
        core->remove_sink(sinks_->file);
        sinks_->file->flush();
    }
    core->remove_sink(sinks_->console);
    delete sinks_;
}

void Logging::setConsoleLevel(LogLevel level)
{
    sinks_->console->set_filter(severityKeyword >= level);
}

void Logging::attachFile(const std::filesystem::path& stateDirectory, const Config& config)
{
    const auto level = parseLogLevel(config.string("logging.level")).value_or(LogLevel::Info);
    const auto rotateSize = parseSize(config.string("logging.rotate_size")).value_or(10u << 20);
    const auto keepFiles = static_cast<unsigned>(config.integer("logging.keep"));
    namespace keywords = logging::keywords;
    auto backend = boost::make_shared<sinks::text_file_backend>(
        keywords::file_name = (stateDirectory / kFileName).string(),
        keywords::target_file_name = "lfs-wrapper-%Y%m%dT%H%M%S-%N.log",
        keywords::rotation_size = rotateSize, keywords::open_mode = std::ios::out | std::ios::app,
        keywords::enable_final_rotation = false, keywords::auto_flush = true);
    backend->set_file_collector(sinks::file::make_collector(
        keywords::target = (stateDirectory / kArchiveDirectory).string(),
        keywords::max_files = keepFiles));
    backend->scan_for_files();
    sinks_->file = boost::make_shared<FileSink>(backend);
    sinks_->file->set_filter(severityKeyword >= level);
    sinks_->file->set_formatter([](const logging::record_view& record,
                                   logging::formatting_ostream& out) {
        auto time = record[timeKeyword];
        out << (time ? isoUtc(time.get()) : std::string("-")) << ' ' << levelName(levelOf(record))
            << ' ' << channelOf(record) << ": " << oneLine(messageOf(record));
    });
    logging::core::get()->add_sink(sinks_->file);
}

} // namespace lfsw
