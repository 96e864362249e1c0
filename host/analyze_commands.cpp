// SPDX-License-Identifier: MIT
// analyze errors
#include <iostream>

#include "build/failure_classifier.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int analyzeErrors(Session& session, const po::variables_map& values)
{
    printErrorAnalysis(session, values.count("comprehensive") != 0, values.count("json") != 0);
    return kExitOk;
}

} // namespace

void printErrorAnalysis(Session& session, bool comprehensive, bool json)
{
    nlohmann::json failed = nlohmann::json::array();
    if (!session.stateDirectoryExists() || !session.journal().latestRun()) {
        if (json)
            printJson({{"failures", failed}});
        else
            std::cout << "no build has run: no errors to analyze\n";
        return;
    }
    std::vector<RunRecord> runs;
    if (comprehensive)
        runs = session.journal().runs();
    else
        runs.push_back(*session.journal().latestRun());
    int failures = 0;
    for (const auto& run : runs) {
        for (const auto& step : session.journal().steps(run.id)) {
            if (step.state != "failed" && step.state != "interrupted")
                continue;
            ++failures;
            StepEnding ending;
            ending.exitStatus = step.exitStatus.value_or(-1);
            ending.signal = step.signal.value_or(0);
            auto found = FailureClassifier::classifyLog(ending, step.logFile);
            const std::string condition = step.condition.empty() ? found.condition : step.condition;
            const std::string failureClass =
                step.failureClass.empty() ? found.failureClass : step.failureClass;
            auto chain = session.config().chainFor(condition, failureClass);
            if (json) {
                nlohmann::json evidence = nlohmann::json::array();
                for (const auto& line : found.evidence)
                    evidence.push_back({{"line", line.line}, {"text", line.text}});
                nlohmann::json actions = nlohmann::json::array();
                if (chain)
                    for (const auto& entry : chain->entries)
                        actions.push_back(entry.action);
                failed.push_back({{"run", run.id},
                                  {"step", step.name},
                                  {"attempts", step.attempts},
                                  {"condition", condition},
                                  {"failure_class", failureClass},
                                  {"message", step.message.empty() ? found.summary : step.message},
                                  {"log_file", step.logFile},
                                  {"evidence", evidence},
                                  {"chain", chain ? nlohmann::json(chain->key) : nlohmann::json()},
                                  {"actions", actions}});
                continue;
            }
            std::cout << "build " << run.id << ", step " << step.name << " (attempt "
                      << step.attempts << "): " << condition << ":" << failureClass << "\n"
                      << "  " << (step.message.empty() ? found.summary : step.message) << "\n"
                      << "  log: " << step.logFile << "\n";
            for (const auto& evidence : found.evidence)
                std::cout << "  line " << evidence.line << ": " << evidence.text << "\n";
            std::cout << "  recovery: ";
            if (!chain) {
                std::cout << "no chain in recovery_actions for " << condition << "\n";
            } else {
                std::cout << chain->key << " ->";
                for (const auto& entry : chain->entries)
                    std::cout << " " << entry.action;
                std::cout << "\n";
            }
        }
    }
    if (json) {
        printJson({{"failures", failed}});
        return;
    }
    if (failures == 0)
        std::cout << "no failed step in " << (runs.size() == 1 ? "the last build" : "any build")
                  << "\n";
}

void addAnalyzeCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"analyze errors", "[--comprehensive] [--json]",
         "Explain why each failed step failed, with evidence from its log",
         "Prints each failed step's class (compile error, link error, test-suite failure,\n"
         "out of memory, out of disk, fetch error, missing dependency, timeout, killed,\n"
         "unknown), the log lines that show it with their line numbers, and the recovery\n"
         "chain that would run. --comprehensive covers every build in the state database.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("comprehensive", "every build, not just the last")("json",
                                                                                      kJsonHelp);
         },
         analyzeErrors});
}

} // namespace lfsw::host
