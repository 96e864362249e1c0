// SPDX-License-Identifier: MIT
// report: the HTML report of a run, or of every run.
#include <algorithm>
#include <iostream>

#include "base/file_content.h"
#include "command.h"
#include "html_report.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int report(Session& session, const po::variables_map& values)
{
    if (values.count("all") && values.count("run")) {
        std::cerr << "lfs-wrapper: report takes --run N or --all, not both\n";
        return kExitUsage;
    }
    if (!session.stateDirectoryExists() || !session.journal().latestRun()) {
        std::cerr << "lfs-wrapper: report: no build has run in "
                  << session.stateDirectory().string() << "\n";
        return kExitFailed;
    }
    std::vector<RunRecord> runs;
    auto all = session.journal().runs();
    if (values.count("all")) {
        runs = all;
    } else if (values.count("run")) {
        const auto id = values["run"].as<std::int64_t>();
        for (const auto& run : all)
            if (run.id == id)
                runs.push_back(run);
        if (runs.empty()) {
            std::cerr << "lfs-wrapper: report: no build run " << id
                      << " (runs kept: " << all.front().id << " to " << all.back().id << ")\n";
            return kExitFailed;
        }
    } else {
        runs.push_back(*session.journal().latestRun());
    }
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    const std::string page = HtmlReport(session).render(runs);
    if (!values.count("output")) {
        std::cout << page;
        return kExitOk;
    }
    const std::filesystem::path file = values["output"].as<std::string>();
    try {
        writeFileDurably(file, page, 0644);
    } catch (const std::exception& e) {
        std::cerr << "lfs-wrapper: report: " << e.what() << "\n";
        return kExitFailed;
    }
    std::cout << "report of " << runs.size() << (runs.size() == 1 ? " run" : " runs")
              << " written to " << file.string() << " (" << page.size() / 1024 << " KiB)\n";
    return kExitOk;
}

} // namespace

void addReportCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"report", "[--run N | --all] [--output FILE.html]",
         "Write the HTML report of a build: timeline, resources, steps, recovery",
         "One self-contained HTML file (no script, nothing fetched; SVG drawn by\n"
         "lfs-wrapper): the timeline of the steps with failures coloured by class,\n"
         "recovery attempts and checkpoints as marks; the resource curves with their\n"
         "thresholds on the same time axis; a table per step with its time, SBU, the\n"
         "new content its checkpoint stored, attempts and failure class; the recovery\n"
         "journal and the alerts sent. The latest run by default; --all: every run.\n"
         "Without --output it goes to standard output.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("run", po::value<std::int64_t>()->value_name("N"),
                                   "the build run (default: the latest)")(
                 "all", "every run of the state directory")(
                 "output", po::value<std::string>()->value_name("FILE"),
                 "write the report here (atomically) instead of standard output");
         },
         report});
}

} // namespace lfsw::host
