// SPDX-License-Identifier: MIT
#include "command_line.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include <dlfcn.h>
#include <unistd.h>

#include <lfsw/abi.h>
#include <lfsw/units.h>

#include "base/suggest.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

constexpr const char* kExitStatuses = "Exit status: 0 success, 1 the operation failed, "
                                      "2 usage or configuration error.";

po::options_description globalOptions()
{
    po::options_description options("Global options");
    options.add_options()("config", po::value<std::string>()->value_name("FILE"),
                          "config file (default: $LFSW_CONFIG, ./lfs-wrapper.yaml, " LFSW_SYSCONFDIR
                          "/lfs-wrapper/lfs-wrapper.yaml, /etc/lfs-wrapper/lfs-wrapper.yaml, "
                          "else built-in defaults)")(
        "state-dir", po::value<std::string>()->value_name("DIR"),
        "state directory (default: build.state_dir, else .lfs-wrapper beside the config)")(
        "verbose,v", "more output (debug records); -vv for trace")(
        "quiet,q", "only errors on the console")("no-color", "no colour even on a terminal")(
        "help,h", "show help")("version",
                               "show the version, the plugin ABI and the library in use");
    return options;
}

// Words of the command (not options, not values of global options), in order.
std::vector<std::string> commandWords(const std::vector<std::string>& args)
{
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--")
            break;
        if (arg == "--config" || arg == "--state-dir") {
            ++i;
            continue;
        }
        if (!arg.empty() && arg[0] == '-')
            continue;
        words.push_back(arg);
    }
    return words;
}

std::string familyOf(const std::string& name)
{
    return name.substr(0, name.find(' '));
}

std::vector<std::string> optionNames(const po::options_description& options)
{
    std::vector<std::string> names;
    for (const auto& option : options.options())
        names.push_back(option->long_name());
    return names;
}

} // namespace

CommandLine::CommandLine()
{
    // In the order --help lists them: the build, its checkpoints and
    // backups, recovery, then looking and cleaning.
    addPlanCommands(commands_);
    addBuildCommands(commands_);
    addCheckpointCommands(commands_);
    addStepCommands(commands_);
    addFilesCommands(commands_);
    addBackupCommands(commands_);
    addDataCommands(commands_);
    addRecoveryCommands(commands_);
    addSystemCommands(commands_);
    addProcessCommands(commands_);
    addVerifyCommands(commands_);
    addAnalyzeCommands(commands_);
    addHealthCommands(commands_);
    addMonitorCommands(commands_);
    addLogsCommands(commands_);
    addCleanCommands(commands_);
    addReportCommands(commands_);
    addConfigCommands(commands_);
    addPluginsCommands(commands_);
    addDaemonCommands(commands_);
}

std::vector<std::string> CommandLine::commandNames() const
{
    std::vector<std::string> names;
    for (const auto& command : commands_)
        names.push_back(command.name);
    return names;
}

int CommandLine::usageError(const std::string& message) const
{
    std::cerr << "lfs-wrapper: " << message << "\n"
              << "Try 'lfs-wrapper --help'.\n";
    return kExitUsage;
}

void CommandLine::printOverview() const
{
    std::cout << "Usage: lfs-wrapper [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
                 "Runs long source builds (Linux From Scratch and the like) under supervision\n"
                 "and recovers them with the chains your lfs-wrapper.yaml names.\n\nCommands:\n";
    for (const auto& command : commands_) {
        std::string head =
            command.name + (command.arguments.empty() ? "" : " " + command.arguments);
        std::cout << "  " << head;
        if (head.size() < 42) // two spaces at least before the summary
            std::cout << std::string(44 - head.size(), ' ');
        else
            std::cout << "\n  " << std::string(44, ' ');
        std::cout << command.summary << "\n";
    }
    std::cout << "\n"
              << globalOptions() << "\n"
              << "'lfs-wrapper COMMAND --help' describes a command.\n"
              << kExitStatuses << "\n";
}

void CommandLine::printVersion() const
{
    Dl_info info{};
    const bool found =
        ::dladdr(reinterpret_cast<void*>(&lfsw::formatDuration), &info) != 0 && info.dli_fname;
    std::cout << "lfs-wrapper " << kVersion << "\n"
              << "plugin ABI " << kPluginAbi << " (plugins of ABI " << kPluginAbiMinimum << " to "
              << kPluginAbi << " load)\n"
              << "library: "
              << (found ? std::filesystem::weakly_canonical(info.dli_fname).string()
                        : std::string("unknown"))
              << "\n";
}

void CommandLine::printFamily(const std::string& family) const
{
    std::cout << "Usage: lfs-wrapper " << family << " SUBCOMMAND\n\nSubcommands:\n";
    for (const auto& command : commands_)
        if (familyOf(command.name) == family)
            std::cout << "  " << command.name << " " << command.arguments << "\n      "
                      << command.summary << "\n";
}

void CommandLine::printCommandHelp(const Command& command) const
{
    po::options_description declared("Options");
    po::positional_options_description positional;
    if (command.declareOptions)
        command.declareOptions(declared, positional);
    // What is given by position is in the usage line, not an option to type.
    std::set<std::string> byPosition;
    for (unsigned i = 0; i < std::min(positional.max_total_count(), 16u); ++i)
        byPosition.insert(positional.name_for_position(i));
    po::options_description options("Options");
    for (const auto& option : declared.options())
        if (!byPosition.count(option->long_name()))
            options.add(option);
    std::cout << "Usage: lfs-wrapper " << command.name
              << (command.arguments.empty() ? "" : " " + command.arguments) << "\n\n"
              << command.summary << "\n";
    if (!command.details.empty())
        std::cout << "\n" << command.details << "\n";
    if (!options.options().empty())
        std::cout << "\n" << options;
    std::cout << "\n" << globalOptions() << "\n" << kExitStatuses << "\n";
}

int CommandLine::run(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    const auto words = commandWords(args);
    const bool wantsHelp = std::any_of(args.begin(), args.end(),
                                       [](const auto& a) { return a == "--help" || a == "-h"; });

    if (words.empty() && std::find(args.begin(), args.end(), "--version") != args.end()) {
        printVersion();
        return kExitOk;
    }
    if (words.empty()) {
        if (wantsHelp || args.empty()) {
            printOverview();
            return args.empty() ? kExitUsage : kExitOk;
        }
    }

    // The longest command name that the words start with.
    const Command* command = nullptr;
    std::size_t used = 0;
    for (const auto& candidate : commands_) {
        std::istringstream parts(candidate.name);
        std::vector<std::string> nameWords;
        for (std::string w; parts >> w;)
            nameWords.push_back(w);
        if (nameWords.size() <= words.size() && nameWords.size() > used &&
            std::equal(nameWords.begin(), nameWords.end(), words.begin())) {
            command = &candidate;
            used = nameWords.size();
        }
    }
    if (!command) {
        std::set<std::string> families;
        for (const auto& c : commands_)
            families.insert(familyOf(c.name));
        if (words.empty())
            return usageError("no command given");
        if (families.count(words[0])) {
            if (words.size() == 1 && wantsHelp) {
                printFamily(words[0]);
                return kExitOk;
            }
            std::vector<std::string> names;
            for (const auto& c : commands_)
                if (familyOf(c.name) == words[0])
                    names.push_back(c.name);
            const std::string typed =
                words[0] + (words.size() > 1 ? " " + words[1] : std::string());
            std::cerr << "lfs-wrapper: "
                      << (words.size() > 1 ? "unknown command '" + typed + "'"
                                           : "'" + typed + "' needs a subcommand")
                      << (words.size() > 1 ? didYouMean(typed, names) : "") << "\n";
            printFamily(words[0]);
            return kExitUsage;
        }
        std::vector<std::string> candidates(families.begin(), families.end());
        for (const auto& name : commandNames())
            candidates.push_back(name);
        std::string typed = words[0] + (words.size() > 1 ? " " + words[1] : "");
        auto match = closestMatch(typed, commandNames());
        if (!match)
            match = closestMatch(words[0], candidates);
        return usageError("unknown command '" + words[0] + "'" +
                          (match ? ", did you mean '" + *match + "'?" : ""));
    }
    if (wantsHelp) {
        printCommandHelp(*command);
        return kExitOk;
    }

    // Remove the command words, keep everything else in order.
    std::vector<std::string> rest;
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" || args[i] == "--state-dir") {
            rest.push_back(args[i]);
            if (i + 1 < args.size())
                rest.push_back(args[++i]);
            continue;
        }
        if (skipped < used && !args[i].empty() && args[i][0] != '-') {
            ++skipped;
            continue;
        }
        if (args[i] == "-v" || args[i] == "-vv" || args[i] == "--verbose")
            continue; // counted below: program_options refuses a repeated flag
        rest.push_back(args[i]);
    }

    po::options_description specific("Options");
    po::positional_options_description positional;
    if (command->declareOptions)
        command->declareOptions(specific, positional);
    po::options_description all;
    all.add(globalOptions()).add(specific);
    po::variables_map values;
    try {
        po::store(po::command_line_parser(rest).options(all).positional(positional).run(), values);
        po::notify(values);
    } catch (const po::unknown_option& e) {
        std::string option = e.get_option_name();
        std::string bare = option.substr(option.find_first_not_of('-'));
        auto names = optionNames(all);
        auto match = closestMatch(bare, names);
        return usageError("unknown option '" + option + "' for '" + command->name + "'" +
                          (match ? ", did you mean '--" + *match + "'?" : ""));
    } catch (const po::required_option& e) {
        // A positional argument is named as the user types it, not as the
        // --option program_options keeps it under.
        std::string option = e.get_option_name();
        std::string bare = option.substr(option.find_first_not_of('-'));
        const unsigned count = std::min(positional.max_total_count(), 16U);
        for (unsigned i = 0; i < count; ++i)
            if (positional.name_for_position(i) == bare) {
                std::string upper = bare;
                for (auto& c : upper)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                return usageError(command->name + ": missing " + upper + " (usage: lfs-wrapper " +
                                  command->name + " " + command->arguments + ")");
            }
        return usageError(std::string(e.what()) + " (usage: lfs-wrapper " + command->name + " " +
                          command->arguments + ")");
    } catch (const po::too_many_positional_options_error&) {
        return usageError("too many arguments for '" + command->name + "' (usage: lfs-wrapper " +
                          command->name + " " + command->arguments + ")");
    } catch (const po::error& e) {
        return usageError(std::string(e.what()) + " (usage: lfs-wrapper " + command->name + " " +
                          command->arguments + ")");
    }

    GlobalOptions global;
    if (values.count("config"))
        global.configFile = values["config"].as<std::string>();
    if (values.count("state-dir"))
        global.stateDirectory = values["state-dir"].as<std::string>();
    global.verbosity = static_cast<int>(std::count_if(
                           args.begin(), args.end(),
                           [](const auto& a) { return a == "-v" || a == "--verbose"; })) +
                       static_cast<int>(std::count(args.begin(), args.end(), "-vv")) * 2;
    global.quiet = values.count("quiet") > 0;
    global.colour = values.count("no-color") == 0 && ::isatty(STDERR_FILENO) &&
                    std::getenv("NO_COLOR") == nullptr;

    if (global.configFile && !std::filesystem::exists(*global.configFile)) {
        std::cerr << "lfs-wrapper: " << global.configFile->string() << ": config file not found\n";
        return kExitUsage;
    }

    Session session(global);
    try {
        if (command->configNeed != ConfigNeed::None) {
            auto problems = session.configProblems(command->configNeed == ConfigNeed::Full);
            if (!problems.empty()) {
                for (const auto& problem : problems)
                    std::cerr << problem.format() << "\n";
                std::cerr << "lfs-wrapper: " << problems.size() << " problem"
                          << (problems.size() == 1 ? "" : "s") << " in the configuration; '"
                          << command->name << "' did not run\n";
                return kExitUsage;
            }
        }
        return command->run(session, values);
    } catch (const std::exception& e) {
        std::cerr << "lfs-wrapper: " << command->name << ": " << e.what() << "\n";
        return kExitFailed;
    }
}

} // namespace lfsw::host
