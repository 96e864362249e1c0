// SPDX-License-Identifier: MIT
// recovery run | status | history | report | checklist | init | reset
#include <iomanip>
#include <iostream>

#include <sys/stat.h>

#include "base/suggest.h"
#include "command.h"
#include "incident_report.h"
#include "recovery_checklist.h"
#include "session.h"
#include "state/state_error.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int run(Session& session, const po::variables_map& values)
{
    const auto& registry = session.plugins();
    Event event;
    event.condition = values["condition"].as<std::string>();
    if (!registry.condition(event.condition)) {
        std::cerr << "lfs-wrapper: unknown condition '" << event.condition << "'"
                  << didYouMean(event.condition, registry.conditionNames())
                  << " (see lfs-wrapper plugins list)\n";
        return kExitUsage;
    }
    if (values.count("class")) {
        event.failureClass = values["class"].as<std::string>();
        auto classes = registry.failureClasses(event.condition);
        if (std::find(classes.begin(), classes.end(), event.failureClass) == classes.end()) {
            std::cerr << "lfs-wrapper: condition '" << event.condition << "' has no failure class '"
                      << event.failureClass << "'" << didYouMean(event.failureClass, classes)
                      << "\n";
            return kExitUsage;
        }
    }
    if (values.count("step"))
        event.step = values["step"].as<std::string>();
    if (values.count("evidence")) {
        for (const auto& item : values["evidence"].as<std::vector<std::string>>()) {
            auto equals = item.find('=');
            if (equals == std::string::npos || equals == 0) {
                std::cerr << "lfs-wrapper: --evidence expects KEY=VALUE, found '" << item << "'\n";
                return kExitUsage;
            }
            event.evidence[item.substr(0, equals)] = item.substr(equals + 1);
        }
    }
    event.evidence.emplace("source", "lfs-wrapper recovery run");

    auto chain = session.config().chainFor(event.condition, event.failureClass);
    if (!chain) {
        std::cerr << "lfs-wrapper: recovery_actions has no chain for '" << event.condition
                  << "' in " << session.configSourceDescription() << "\n";
        return kExitUsage;
    }
    const int maxAttempts =
        static_cast<int>(session.config().integer("auto_recovery.max_attempts"));
    if (values.count("dry-run")) {
        // Reads the counters when there is state, creates nothing.
        const int used = session.stateDirectoryExists()
                             ? session.engine().attemptsUsed(event.condition, event.step)
                             : 0;
        std::cout << "dry run: " << event.condition << " would run chain '" << chain->key << "'";
        if (used >= maxAttempts)
            std::cout << ", but it would be refused: all " << maxAttempts
                      << " attempts are used up\n";
        else
            std::cout << " as attempt " << used + 1 << " of " << maxAttempts << "\n";
        int position = 0;
        for (const auto& planned : RecoveryEngine::plan(registry, *chain))
            std::cout << "  " << ++position << ". " << planned.action << ": " << planned.description
                      << (planned.repeatable ? "" : " [not repeatable]") << "\n";
        std::cout << "nothing was run and no attempt was counted\n";
        return kExitOk;
    }

    auto& engine = session.engine();
    int position = 0;
    const auto total = chain->entries.size();
    auto outcome = engine.run(
        event, session.remoteControl(), [&](const std::string& action, const Result& result) {
            std::cout << "  [" << ++position << "/" << total << "] " << action << ": "
                      << statusName(result.status())
                      << (result.message().empty() ? "" : " (" + result.message() + ")") << "\n"
                      << std::flush;
        });
    switch (outcome.status) {
    case RecoveryOutcome::Status::Recovered:
        if (outcome.changedNothing) {
            std::cout << event.condition << ": chain '" << outcome.chainKey
                      << "' changed nothing: no action applied (attempt " << outcome.attempt
                      << " of " << outcome.maxAttempts << ")\n";
            return kExitOk;
        }
        std::cout << event.condition << ": recovered by chain '" << outcome.chainKey
                  << "' (attempt " << outcome.attempt << " of " << outcome.maxAttempts << ")\n";
        return kExitOk;
    case RecoveryOutcome::Status::Failed:
        std::cerr << "lfs-wrapper: " << event.condition << ": chain '" << outcome.chainKey
                  << "' stopped at " << outcome.message << " (attempt " << outcome.attempt << " of "
                  << outcome.maxAttempts << ")\n";
        return kExitFailed;
    case RecoveryOutcome::Status::Exhausted:
        std::cerr << "lfs-wrapper: refused: " << outcome.message
                  << "; after fixing the cause: lfs-wrapper recovery reset " << event.condition
                  << (event.step.empty() ? "" : " --step " + event.step) << "\n";
        return kExitFailed;
    case RecoveryOutcome::Status::NoChain:
        std::cerr << "lfs-wrapper: " << outcome.message << "\n";
        return kExitUsage;
    }
    return kExitFailed;
}

int statusJson(Session& session)
{
    const auto& config = session.config();
    const int maxAttempts = static_cast<int>(config.integer("auto_recovery.max_attempts"));
    nlohmann::json counters = nlohmann::json::array();
    if (session.stateDirectoryExists()) {
        auto query = session.database().prepare("SELECT condition, step, attempts, updated_at "
                                                "FROM attempt_counter ORDER BY condition, step");
        while (query.step())
            counters.push_back({{"condition", query.text(0)},
                                {"step", query.text(1)},
                                {"attempts", query.integer(2)},
                                {"updated_at", query.text(3)},
                                {"exhausted", query.integer(2) >= maxAttempts}});
    }
    printJson({{"enabled", config.boolean("auto_recovery.enabled")},
               {"max_attempts", maxAttempts},
               {"counters", counters}});
    return kExitOk;
}

int status(Session& session, const po::variables_map& values)
{
    if (values.count("json"))
        return statusJson(session);
    const auto& config = session.config();
    const int maxAttempts = static_cast<int>(config.integer("auto_recovery.max_attempts"));
    std::cout << "auto_recovery: "
              << (config.boolean("auto_recovery.enabled") ? "enabled" : "disabled")
              << ", max_attempts " << maxAttempts << " per condition per build step\n";
    if (!session.stateDirectoryExists()) {
        std::cout << "no state yet (" << session.stateDirectory().string()
                  << " does not exist): no attempts used\n";
        return kExitOk;
    }
    auto query = session.database().prepare("SELECT condition, step, attempts, updated_at FROM "
                                            "attempt_counter ORDER BY condition, step");
    bool any = false;
    while (query.step()) {
        if (!any)
            std::cout << std::left << std::setw(22) << "CONDITION" << std::setw(24) << "STEP"
                      << std::setw(10) << "ATTEMPTS"
                      << "LAST\n";
        any = true;
        const std::string step = query.text(1).empty() ? "(no step)" : query.text(1);
        const int attempts = static_cast<int>(query.integer(2));
        std::cout << std::left << std::setw(22) << query.text(0) << std::setw(24) << step
                  << std::setw(10) << (std::to_string(attempts) + "/" + std::to_string(maxAttempts))
                  << query.text(3) << (attempts >= maxAttempts ? "  exhausted" : "") << "\n";
    }
    if (!any)
        std::cout << "no recovery attempts counted\n";
    return kExitOk;
}

int history(Session& session, const po::variables_map& values)
{
    const bool json = values.count("json") != 0;
    if (!session.stateDirectoryExists()) {
        if (json)
            printJson(nlohmann::json::array());
        else
            std::cout << "no recovery history (" << session.stateDirectory().string()
                      << " does not exist)\n";
        return kExitOk;
    }
    const auto incidents = session.engine().incidents().list(values["limit"].as<int>());
    if (json) {
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& incident : incidents)
            entries.push_back(IncidentReport(session, incident).json());
        printJson(entries);
        return kExitOk;
    }
    for (const auto& incident : incidents) {
        std::cout << IncidentReport::summaryLine(incident) << "\n";
        for (const auto& attempt : incident.attempts) {
            std::string outcome = attempt.outcome;
            if (outcome == "running" && attempt.endedAt.empty())
                outcome = "interrupted or running";
            std::cout << "  " << attempt.startedAt << "  chain " << attempt.chain << "  attempt "
                      << attempt.attempt << "  " << outcome
                      << (attempt.message.empty() ? "" : ": " + attempt.message) << "\n";
            for (const auto& action : attempt.actions)
                std::cout << "    " << action.position << ". " << action.action
                          << (action.params == "{}" ? "" : " " + action.params) << "  "
                          << action.result << (action.message.empty() ? "" : ": " + action.message)
                          << "  (" << action.startedAt << " .. "
                          << (action.endedAt.empty() ? "not ended" : action.endedAt) << ")\n";
        }
    }
    if (incidents.empty())
        std::cout << "no recovery has run\n";
    return kExitOk;
}

int report(Session& session, const po::variables_map& values)
{
    const std::string format = values["format"].as<std::string>();
    if (format != "md" && format != "json") {
        std::cerr << "lfs-wrapper: --format expects md or json, found '" << format << "'\n";
        return kExitUsage;
    }
    const std::string which =
        values.count("incident") ? values["incident"].as<std::string>() : std::string("latest");
    std::int64_t id = 0;
    if (which != "latest") {
        try {
            std::size_t used = 0;
            id = std::stoll(which, &used);
            if (used != which.size() || id <= 0)
                throw std::invalid_argument(which);
        } catch (const std::exception&) {
            std::cerr << "lfs-wrapper: recovery report expects an incident number or 'latest', "
                         "found '"
                      << which << "'\n";
            return kExitUsage;
        }
    }
    if (!session.stateDirectoryExists()) {
        std::cerr << "lfs-wrapper: no incidents: " << session.stateDirectory().string()
                  << " does not exist\n";
        return kExitFailed;
    }
    auto& incidents = session.engine().incidents();
    auto incident = id > 0 ? incidents.find(id) : incidents.latest();
    if (!incident) {
        std::cerr << "lfs-wrapper: "
                  << (id > 0 ? "no incident " + std::to_string(id) +
                                   " (lfs-wrapper recovery history lists them)"
                             : std::string("no incident yet: no recovery has run"))
                  << "\n";
        return kExitFailed;
    }
    IncidentReport reportOf(session, *incident);
    if (format == "json")
        printJson(reportOf.json());
    else
        reportOf.writeMarkdown(std::cout);
    return kExitOk;
}

int checklist(Session& session, const po::variables_map& values)
{
    const std::string phase = values["phase"].as<std::string>();
    if (phase != "pre" && phase != "post") {
        std::cerr << "lfs-wrapper: recovery checklist expects pre or post, found '" << phase
                  << "'\n";
        return kExitUsage;
    }
    const std::int64_t incident =
        values.count("incident") ? values["incident"].as<std::int64_t>() : 0;
    if (incident > 0 && !session.engine().incidents().find(incident)) {
        std::cerr << "lfs-wrapper: no incident " << incident
                  << " (lfs-wrapper recovery history lists them)\n";
        return kExitFailed;
    }
    const bool json = values.count("json") != 0;
    RecoveryChecklist list(session, phase, incident);
    list.run(std::cout, json);
    if (json)
        printJson(list.json());
    return list.passed() ? kExitOk : kExitFailed;
}

int init(Session& session, const po::variables_map&)
{
    bool ok = true;
    auto line = [&ok](bool good, const std::string& what) {
        std::cout << (good ? "OK    " : "FAIL  ") << what << "\n";
        ok = ok && good;
    };
    auto problems = session.configProblems(true);
    line(problems.empty(), "config: " + session.configSourceDescription() +
                               (problems.empty() ? " is valid"
                                                 : " has " + std::to_string(problems.size()) +
                                                       " problems (lfs-wrapper config validate)"));
    const auto& plugins = session.plugins();
    line(plugins.refusals().empty(),
         "plugins: " + std::to_string(plugins.plugins().size()) + " loaded, " +
             std::to_string(plugins.refusals().size()) + " refused" +
             (plugins.refusals().empty() ? "" : " (lfs-wrapper plugins list)"));
    const auto directory = session.stateDirectory();
    const bool existed = session.stateDirectoryExists();
    try {
        session.createStateDirectory();
        line(true, "state directory: " + directory.string() +
                       (existed ? " (exists)" : " (created, mode 0700)"));
    } catch (const std::exception& e) {
        line(false, "state directory: " + std::string(e.what()));
        return kExitFailed;
    }
    try {
        auto& database = session.database();
        line(true, "state database: " + database.file().string() + " (schema version " +
                       std::to_string(database.schemaVersion()) + ", WAL)");
    } catch (const StateError& e) {
        line(false, std::string("state database: ") + e.what());
    }
    for (const char* sub : {"store", "store/objects", "store/manifests"}) {
        const auto path = directory / sub;
        if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
            line(false, "store directory " + path.string() + ": " + std::strerror(errno));
            return kExitFailed;
        }
    }
    line(true, "store directories: " + (directory / "store").string());
    return ok ? kExitOk : kExitFailed;
}

int reset(Session& session, const po::variables_map& values)
{
    if (!session.stateDirectoryExists()) {
        std::cout << "no recovery attempts counted (" << session.stateDirectory().string()
                  << " does not exist)\n";
        return kExitOk;
    }
    const std::string condition =
        values.count("condition") ? values["condition"].as<std::string>() : "";
    const std::string step = values.count("step") ? values["step"].as<std::string>() : "";
    if (!condition.empty() && !session.plugins().condition(condition)) {
        std::cerr << "lfs-wrapper: unknown condition '" << condition << "'"
                  << didYouMean(condition, session.plugins().conditionNames()) << "\n";
        return kExitUsage;
    }
    session.engine().resetAttempts(condition, step, RecoveryEngine::Reset::ByHand);
    std::cout << "attempts reset for " << (condition.empty() ? "every condition" : condition)
              << (step.empty() ? " outside build steps" : " in step " + step) << "\n";
    return kExitOk;
}

} // namespace

void addRecoveryCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"recovery run", "CONDITION [--dry-run] [--step NAME] [--class CLASS] [--evidence K=V]...",
         "Run the recovery chain configured for a condition",
         "Runs recovery_actions.CONDITION (or CONDITION:CLASS when --class is given and\n"
         "the config has that key) in order, stopping at the first failed action. Each\n"
         "run is one attempt of auto_recovery.max_attempts for (CONDITION, step); when\n"
         "they are used up the chain is refused (exit 1). --dry-run prints what each\n"
         "action would do and runs nothing.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("condition", po::value<std::string>()->required(),
                                   "condition to recover from")(
                 "dry-run", "print the chain and what each action would do; run nothing")(
                 "step", po::value<std::string>()->value_name("NAME"),
                 "build step the condition belongs to (attempts are counted per step)")(
                 "class", po::value<std::string>()->value_name("CLASS"),
                 "failure class, e.g. fetch_error")(
                 "evidence", po::value<std::vector<std::string>>()->value_name("KEY=VALUE"),
                 "evidence for the actions (repeatable)");
             positional.add("condition", 1);
         },
         run});
    commands.push_back({"recovery status", "[--json]", "Show the recovery attempt counters", "",
                        ConfigNeed::Structural, flagOption("json", kJsonHelp), status});
    commands.push_back(
        {"recovery history", "[--limit N] [--json]",
         "List incidents, newest first, with their attempts and actions",
         "An incident is what recovery did about one condition in one build step (or\n"
         "outside steps): its attempts from the first until the step succeeds, recovery\n"
         "gives up, or the attempts are reset. Each line: number, opened, condition and\n"
         "step, attempts, outcome and time to recover; then each attempt and its actions.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("limit", po::value<int>()->default_value(20)->value_name("N"),
                                   "how many incidents to show")("json", kJsonHelp);
         },
         history});
    commands.push_back(
        {"recovery report", "[ID|latest] [--format md|json]", "Print an incident's report",
         "What failed (condition, class, step, evidence and the step's log), what was\n"
         "done (each attempt and action with its result), the alerts sent, the state of\n"
         "the build and its checkpoints after it, and what is left to do. Markdown by\n"
         "default: paste it into a support request.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("incident", po::value<std::string>()->value_name("ID"),
                                   "incident number, or latest (the default)")(
                 "format", po::value<std::string>()->default_value("md")->value_name("FORMAT"),
                 "md (Markdown) or json");
             positional.add("incident", 1);
         },
         report});
    commands.push_back(
        {"recovery checklist", "pre|post [--incident N] [--json]",
         "Run the seed's pre- or post-recovery checklist",
         "pre: assess system state (health check), back up critical data (backup create\n"
         "--critical-only), document current issues (the last build's failure as an open\n"
         "incident), notify stakeholders (an alert), prepare the recovery environment\n"
         "(recovery init). post: verify system integrity (verify system --all) and the\n"
         "build (verify build --thorough), test core functionality (recovery.checks),\n"
         "document recovery actions (the incident report, written to\n"
         "incidents/incident-N.md in the state directory), review monitoring data (peaks\n"
         "during the incident against thresholds), update procedures (the chains that\n"
         "failed or ran out of attempts). One line per item: done, failed, or skipped\n"
         "with why. Exit status 1 when an item failed or a recovery.required item did not\n"
         "run.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("phase", po::value<std::string>()->required(), "pre or post")(
                 "incident", po::value<std::int64_t>()->value_name("N"),
                 "the incident (default: the last build's failure, or the latest incident)")(
                 "json", kJsonHelp);
             positional.add("phase", 1);
         },
         checklist});
    commands.push_back(
        {"recovery init", "", "Initialize the recovery environment and report each part",
         "Validates the config and plugins, creates the state directory (mode 0700), the\n"
         "state database and the store directories, and reports each as one line.",
         ConfigNeed::None, nullptr, init});
    commands.push_back(
        {"recovery reset", "[CONDITION] [--step NAME]",
         "Forget used recovery attempts after fixing a cause by hand", "", ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("condition", po::value<std::string>(),
                                   "condition (default: all)")(
                 "step", po::value<std::string>()->value_name("NAME"), "build step");
             positional.add("condition", 1);
         },
         reset});
}

} // namespace lfsw::host
