// SPDX-License-Identifier: MIT
// plan show | import
#include <iomanip>
#include <iostream>

#include <unistd.h>

#include <lfsw/units.h>

#include "base/file_content.h"
#include "build/script_import.h"
#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int show(Session& session, const po::variables_map& values)
{
    auto chosen = choosePlan(session, values, "plan show");
    if (!chosen)
        return kExitUsage;
    printPlan(chosen->first, values.count("json") != 0);
    return kExitOk;
}

int import(Session& session, const po::variables_map& values)
{
    const auto kind = values["kind"].as<std::string>();
    if (kind != "jhalfs" && kind != "scripts") {
        std::cerr << "lfs-wrapper: plan import: expected jhalfs or scripts, found '" << kind
                  << "'\n";
        return kExitUsage;
    }
    const std::filesystem::path directory = values["dir"].as<std::string>();
    ScriptImport::Options options;
    options.buildRoot = session.config().buildRoot();
    if (values.count("from"))
        options.from = values["from"].as<std::string>();
    if (values.count("to"))
        options.to = values["to"].as<std::string>();
    if (values.count("include"))
        options.include = values["include"].as<std::vector<std::string>>();
    auto scripts = kind == "jhalfs" ? ScriptImport::jhalfs(directory, options)
                                    : ScriptImport::scripts(directory, options);
    if (!scripts) {
        std::cerr << "lfs-wrapper: plan import " << kind << ": " << scripts.error()
                  << "; no plan written\n";
        return kExitUsage;
    }
    const auto text = ScriptImport::planText(
        *scripts, "Imported by lfs-wrapper plan import " + kind + " from " +
                      std::filesystem::absolute(directory).lexically_normal().string());
    // What is written must be a plan the supervisor takes (checked as root,
    // who runs it: the users and the chroot need root).
    const auto plan = BuildPlan::fromString(text, "the imported plan");
    if (::geteuid() == 0 && !plan.problems().empty()) {
        for (const auto& problem : plan.problems())
            std::cerr << problem.format() << "\n";
        std::cerr << "lfs-wrapper: plan import " << kind << ": the plan is not valid; no plan "
                  << "written\n";
        return kExitUsage;
    }
    if (!values.count("output")) {
        std::cout << text;
        return kExitOk;
    }
    const auto output = std::filesystem::absolute(values["output"].as<std::string>());
    if (std::filesystem::exists(output) && session.buildRunning() && !values.count("force")) {
        std::cerr << "lfs-wrapper: plan import: a build is running; replacing " << output.string()
                  << " under it is refused (build resume matches steps by name; --force "
                     "replaces it anyway)\n";
        return kExitFailed;
    }
    writeFileDurably(output, text);
    std::size_t leftOut = 0;
    for (const auto& script : *scripts)
        leftOut += script.leftOut.empty() ? 0 : 1;
    std::cout << "wrote " << output.string() << ": " << scripts->size() - leftOut << " steps from "
              << scripts->size() << " scripts; lfs-wrapper plan show --plan " << output.string()
              << " shows them\n";
    return kExitOk;
}

} // namespace

std::optional<std::pair<BuildPlan, std::string>>
choosePlan(Session& session, const po::variables_map& values, const char* command)
{
    std::optional<BuildPlan> plan;
    std::string source;
    if (values.count("plan")) {
        source = std::filesystem::absolute(values["plan"].as<std::string>()).string();
        plan = BuildPlan::fromFile(source);
    } else if (values.count("command")) {
        plan = BuildPlan::fromCommand(values["command"].as<std::vector<std::string>>());
        source = plan->sourceName();
    } else if (!session.config().string("build.plan").empty()) {
        source = session.config().resolvePath(session.config().string("build.plan")).string();
        plan = BuildPlan::fromFile(source);
    } else {
        std::cerr << "lfs-wrapper: " << command
                  << " needs a plan: --plan FILE, build.plan in the config, or -- COMMAND...\n";
        return std::nullopt;
    }
    if (!plan->problems().empty()) {
        printPlanProblems(*plan);
        return std::nullopt;
    }
    return std::make_pair(std::move(*plan), source);
}

void printPlanProblems(const BuildPlan& plan)
{
    for (const auto& problem : plan.problems())
        std::cerr << problem.format() << "\n";
    std::cerr << "lfs-wrapper: " << plan.problems().size() << " problem"
              << (plan.problems().size() == 1 ? "" : "s") << " in the build plan; nothing ran\n";
}

void printPlan(const BuildPlan& plan, bool json)
{
    if (json) {
        nlohmann::json steps = nlohmann::json::array();
        int position = 0;
        for (const auto& step : plan.steps())
            steps.push_back(
                {{"position", ++position},
                 {"name", step.name},
                 {"user", step.user.empty() ? nlohmann::json() : nlohmann::json(step.user)},
                 {"chroot", step.chroot},
                 {"workdir",
                  step.workdir.empty() ? nlohmann::json() : nlohmann::json(step.workdir)},
                 {"timeout",
                  step.timeout.count() ? nlohmann::json(step.timeout.count()) : nlohmann::json()},
                 {"checkpoint", step.checkpoint},
                 {"shell", step.shell.empty() ? "/bin/sh" : step.shell},
                 {"clean_env", step.cleanEnv},
                 {"env", step.env}});
        printJson({{"plan", plan.sourceName()}, {"steps", steps}});
        return;
    }
    std::cout << std::left << std::setw(5) << "POS" << std::setw(28) << "NAME" << std::setw(10)
              << "USER" << std::setw(8) << "CHROOT" << std::setw(11) << "SHELL" << std::setw(10)
              << "TIMEOUT"
              << "CHECKPOINT\n";
    int position = 0;
    for (const auto& step : plan.steps()) {
        std::cout << std::left << std::setw(5) << ++position << std::setw(28) << step.name
                  << std::setw(10) << (step.user.empty() ? "root" : step.user) << std::setw(8)
                  << (step.chroot ? "yes" : "no") << std::setw(11)
                  << (step.shell.empty() ? "/bin/sh" : step.shell) << std::setw(10)
                  << (step.timeout.count() ? formatDuration(step.timeout) : "-")
                  << (step.checkpoint ? "yes" : "no") << "\n";
        if (!step.workdir.empty())
            std::cout << "     workdir " << step.workdir << "\n";
        if (step.cleanEnv)
            std::cout << "     environment: empty (env -i), as the book's lfs login\n";
        for (const auto& [name, value] : step.env)
            std::cout << "     env " << name << "=" << value << "\n";
    }
    std::cout << plan.steps().size() << " steps (" << plan.sourceName() << ")\n";
}

void addPlanCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"plan show", "[--plan FILE] [--json]", "Print the plan as the supervisor will run it",
         "Validated first (problems as FILE:LINE:COLUMN, exit status 2): each step's\n"
         "position, name, user, chroot, shell, timeout, checkpoint, workdir and\n"
         "environment. The plan is --plan FILE, else build.plan from the config.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("plan", po::value<std::string>()->value_name("FILE"),
                                   "the plan file")("json", kJsonHelp);
         },
         show});
    commands.push_back(
        {"plan import",
         "jhalfs|scripts DIR [--output FILE] [--from NAME] [--to NAME] "
         "[--include NAME]...",
         "Make a plan of a jhalfs tree or a directory of numbered scripts",
         "jhalfs: DIR holds lfs-commands/chapterNN/NNN-name (usually $LFS/jhalfs); one\n"
         "step per script, named as the script, in jhalfs's order and phases: SETUP\n"
         "and SUDO as root on the host, LUSER as the lfs user (its ~/.bashrc sourced,\n"
         "an empty environment), CHROOT and BOOT inside the build root. Scripts\n"
         "jhalfs leaves out by default stay out, as comments saying why, unless\n"
         "--include names them. scripts: every NNN-name script of DIR as root on the\n"
         "host, unless its header says '# lfs-wrapper: user=NAME chroot clean_env'.\n"
         "The plan goes to stdout, or atomically to --output FILE (refused over the\n"
         "plan of a running build unless --force).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("kind", po::value<std::string>()->required(),
                                   "jhalfs or scripts")("dir", po::value<std::string>()->required(),
                                                        "the tree")(
                 "output", po::value<std::string>()->value_name("FILE"), "write the plan here")(
                 "from", po::value<std::string>()->value_name("NAME"),
                 "first script")("to", po::value<std::string>()->value_name("NAME"), "last script")(
                 "include", po::value<std::vector<std::string>>()->value_name("NAME"),
                 "a script left out by default (repeatable)")(
                 "force", "replace the plan of a running build");
             positional.add("kind", 1).add("dir", 1);
         },
         import});
}

} // namespace lfsw::host
