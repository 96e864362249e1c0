// SPDX-License-Identifier: MIT
// recovery run | status | history | init | reset
#include <iomanip>
#include <iostream>

#include <sys/stat.h>

#include "base/suggest.h"
#include "command.h"
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
    nlohmann::json entries = nlohmann::json::array();
    if (json && !session.stateDirectoryExists()) {
        printJson(entries);
        return kExitOk;
    }
    if (!session.stateDirectoryExists()) {
        std::cout << "no recovery history (" << session.stateDirectory().string()
                  << " does not exist)\n";
        return kExitOk;
    }
    auto& database = session.database();
    auto attempts = database.prepare(
        "SELECT id, condition, failure_class, step, chain_key, attempt, started_at,"
        " COALESCE(ended_at, ''), outcome, message FROM recovery_attempt"
        " ORDER BY id DESC LIMIT ?");
    attempts.bind(1, static_cast<std::int64_t>(values["limit"].as<int>()));
    bool any = false;
    while (attempts.step()) {
        any = true;
        std::string outcome = attempts.text(8);
        if (outcome == "running" && attempts.text(7).empty())
            outcome = "interrupted or running";
        // The actions in the order they ran.
        auto journal = database.prepare(
            "SELECT position, action, params, started_at, COALESCE(ended_at, ''), result, message"
            " FROM recovery_journal WHERE attempt_id = ? ORDER BY position");
        journal.bind(1, attempts.integer(0));
        if (json) {
            nlohmann::json actions = nlohmann::json::array();
            while (journal.step())
                actions.push_back({{"position", journal.integer(0)},
                                   {"action", journal.text(1)},
                                   {"params", journal.text(2)},
                                   {"started_at", journal.text(3)},
                                   {"ended_at", journal.text(4)},
                                   {"result", journal.text(5)},
                                   {"message", journal.text(6)}});
            entries.push_back({{"id", attempts.integer(0)},
                               {"condition", attempts.text(1)},
                               {"failure_class", attempts.text(2)},
                               {"step", attempts.text(3)},
                               {"chain", attempts.text(4)},
                               {"attempt", attempts.integer(5)},
                               {"started_at", attempts.text(6)},
                               {"ended_at", attempts.text(7)},
                               {"outcome", outcome},
                               {"message", attempts.text(9)},
                               {"actions", actions}});
            continue;
        }
        std::cout << attempts.text(6) << "  " << attempts.text(1)
                  << (attempts.text(2).empty() ? "" : ":" + attempts.text(2))
                  << (attempts.text(3).empty() ? "" : " step " + attempts.text(3)) << "  chain "
                  << attempts.text(4) << "  attempt " << attempts.integer(5) << "  " << outcome
                  << (attempts.text(9).empty() ? "" : ": " + attempts.text(9)) << "\n";
        while (journal.step()) {
            std::string params = journal.text(2) == "{}" ? "" : " " + journal.text(2);
            std::cout << "    " << journal.integer(0) << ". " << journal.text(1) << params << "  "
                      << journal.text(5) << (journal.text(6).empty() ? "" : ": " + journal.text(6))
                      << "  (" << journal.text(3) << " .. "
                      << (journal.text(4).empty() ? "not ended" : journal.text(4)) << ")\n";
        }
    }
    if (json) {
        printJson(entries);
        return kExitOk;
    }
    if (!any)
        std::cout << "no recovery has run\n";
    return kExitOk;
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
    session.engine().resetAttempts(condition, step);
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
    commands.push_back({"recovery history", "[--limit N] [--json]",
                        "Show the recovery journal, newest first", "", ConfigNeed::Structural,
                        [](po::options_description& options, po::positional_options_description&) {
                            options.add_options()(
                                "limit", po::value<int>()->default_value(20)->value_name("N"),
                                "how many attempts to show")("json", kJsonHelp);
                        },
                        history});
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
