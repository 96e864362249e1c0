// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "build/build_plan.h"

namespace lfsw {
class Daemon;
}

namespace lfsw::host {

class Session;

// Exit statuses of every command (documented in `lfs-wrapper --help` and docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// How much of the config a command needs before it runs.
enum class ConfigNeed {
    None,       // the command reads the config itself (config validate, config set)
    Structural, // keys, types and syntaxes valid (plugins list, logs show, config show)
    Full,       // also every action, condition and channel name resolved
};

// One `lfs-wrapper` command: its words ("recovery run"), help, options and
// handler. Each family file (config_commands.cpp, ...) builds its commands.
struct Command {
    std::string name;
    std::string arguments; // usage after the name, e.g. "CONDITION [--dry-run]"
    std::string summary;   // one line for the command list
    std::string details;   // paragraphs for `COMMAND --help`
    ConfigNeed configNeed = ConfigNeed::Full;
    std::function<void(boost::program_options::options_description&,
                       boost::program_options::positional_options_description&)>
        declareOptions;
    std::function<int(Session&, const boost::program_options::variables_map&)> run;
};

// `--json`, for the commands that scripts read: printed with printJson.
inline constexpr const char* kJsonHelp = "print JSON instead of text (for scripts)";
void printJson(const nlohmann::json& value);

// Command::declareOptions for a command whose only option is one flag.
inline auto flagOption(const char* name, const char* help)
{
    return [name, help](boost::program_options::options_description& options,
                        boost::program_options::positional_options_description&) {
        options.add_options()(name, help);
    };
}

void addConfigCommands(std::vector<Command>& commands);
void addPlanCommands(std::vector<Command>& commands);
void addFilesCommands(std::vector<Command>& commands);
void addStepCommands(std::vector<Command>& commands);
// The plan of --plan FILE, -- COMMAND... or build.plan, validated; nothing
// (its problems said) when there is none or it has problems.
std::optional<std::pair<BuildPlan, std::string>>
choosePlan(Session& session, const boost::program_options::variables_map& values,
           const char* command);
// Every problem of the plan (FILE:LINE:COLUMN) and how many, on stderr.
void printPlanProblems(const BuildPlan& plan);
// The plan as the supervisor runs it: a table, or JSON.
void printPlan(const BuildPlan& plan, bool json);
// Continues the last build (build resume); shared with build system --from-baseline.
int resumeBuild(Session& session, bool resourceOptimized, bool quiet,
                const std::string& fromStep = {});
void addPluginsCommands(std::vector<Command>& commands);
void addRecoveryCommands(std::vector<Command>& commands);
void addLogsCommands(std::vector<Command>& commands);
void addBuildCommands(std::vector<Command>& commands);
void addCheckpointCommands(std::vector<Command>& commands);
void addMonitorCommands(std::vector<Command>& commands);
void addDaemonCommands(std::vector<Command>& commands);
void addHealthCommands(std::vector<Command>& commands);
void addBackupCommands(std::vector<Command>& commands);
void addDataCommands(std::vector<Command>& commands);
void addSystemCommands(std::vector<Command>& commands);
void addProcessCommands(std::vector<Command>& commands);
void addVerifyCommands(std::vector<Command>& commands);
void addAnalyzeCommands(std::vector<Command>& commands);
void addCleanCommands(std::vector<Command>& commands);
void addReportCommands(std::vector<Command>& commands);
// The daemon's scheduled backups (backup.schedule), then prune.
void addBackupJobs(Daemon& daemon);
// analyze errors: each failed step of the last build (every build when
// `comprehensive`), its class, evidence and recovery chain.
void printErrorAnalysis(Session& session, bool comprehensive, bool json = false);

} // namespace lfsw::host
