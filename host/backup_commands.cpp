// SPDX-License-Identifier: MIT
// backup create | list | verify | restore | test-restore | prune | schedule,
// and the daemon's scheduled backup job
#include <algorithm>
#include <ctime>
#include <iomanip>
#include <iostream>

#include <lfsw/units.h>

#include "backup_access.h"
#include "base/cron_expression.h"
#include "command.h"
#include "daemon.h"
#include "progress_bar.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

// "2026-11-25T22:00:00+00:00", local time as systemd-analyze calendar shows it.
std::string isoLocal(std::chrono::system_clock::time_point time)
{
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    ::localtime_r(&seconds, &tm);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &tm);
    std::string result = text; // +0100 -> +01:00
    result.insert(result.size() - 2, ":");
    return result;
}

// Reads "2026-11-25T22:00", "2026-11-25T22:00:00" or "2026-11-25 22:00"
// as local time.
std::optional<std::chrono::system_clock::time_point> parseLocal(const std::string& text)
{
    std::tm tm{};
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &used) != 5)
        return std::nullopt;
    std::string rest = text.substr(static_cast<std::size_t>(used));
    if (!rest.empty() && std::sscanf(rest.c_str(), ":%2d", &tm.tm_sec) != 1)
        return std::nullopt;
    if (tm.tm_year < 1970 || tm.tm_year > 2200) // system_clock's nanoseconds end in 2262
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

std::optional<CronExpression> schedule(const Config& config)
{
    auto parsed = CronExpression::parse(config.string("backup.schedule"));
    if (parsed)
        return *parsed;
    return std::nullopt;
}

std::vector<std::string> typesFor(Session& session, const po::variables_map& values)
{
    if (values.count("critical-only"))
        return {"critical-data", "build-progress"};
    if (values.count("type"))
        return values["type"].as<std::vector<std::string>>();
    return session.config().list("backup.types");
}

// What a plugin backend said: its message, on stderr when it failed.
int report(const Result& result)
{
    if (!result.ok()) {
        std::cerr << "lfs-wrapper: " << result.message() << "\n";
        return kExitFailed;
    }
    std::cout << result.message() << "\n";
    return kExitOk;
}

int create(Session& session, const po::variables_map& values)
{
    const auto types = typesFor(session, values);
    for (const auto& type : types)
        if (std::find(std::begin(BackupRepository::kTypes), std::end(BackupRepository::kTypes),
                      type) == std::end(BackupRepository::kTypes)) {
            std::cerr << "lfs-wrapper: backup create: unknown type '" << type
                      << "' (system-state, build-progress, critical-data)\n";
            return kExitUsage;
        }
    ProgressBar bar("backup");
    auto created = session.backups().create(types, bar.callback());
    for (const auto& warning : created.warnings)
        std::cerr << "warning: " << warning << "\n";
    return report(created.result);
}

int list(Session& session, const po::variables_map& values)
{
    const bool json = values.count("json") != 0;
    if (auto plugin = session.backups().plugin()) {
        std::vector<BackupSnapshot> snapshots;
        auto result = plugin->backend.list(snapshots, plugin->context);
        if (!result.ok())
            return report(result);
        if (json) {
            nlohmann::json listed = nlohmann::json::array();
            for (const auto& snapshot : snapshots)
                listed.push_back(
                    {{"id", snapshot.id}, {"time", snapshot.time}, {"tags", snapshot.tags}});
            printJson(
                {{"backend", session.config().string("backup.backend")}, {"backups", listed}});
            return kExitOk;
        }
        for (const auto& snapshot : snapshots) {
            std::string tags;
            for (const auto& tag : snapshot.tags)
                tags += (tags.empty() ? "" : ",") + tag;
            std::cout << snapshot.id << "  " << snapshot.time << "  " << tags << "\n";
        }
        if (snapshots.empty())
            std::cout << "no backups in the " << session.config().string("backup.backend")
                      << " repository\n";
        return kExitOk;
    }
    BackupRepository& repository = session.backups().repository();
    std::vector<std::string> problems;
    auto backups = repository.list(&problems);
    for (const auto& problem : problems)
        std::cerr << "lfs-wrapper: unreadable manifest: " << problem << "\n";
    if (json) {
        nlohmann::json listed = nlohmann::json::array();
        for (const auto& backup : backups)
            listed.push_back({{"id", backup.id},
                              {"types", backup.types()},
                              {"paths", backup.files()},
                              {"bytes", backup.bytes()},
                              {"new_bytes", backup.newBytes()},
                              {"complete", backup.complete()}});
        std::optional<std::string> next;
        if (auto cron = schedule(session.config()))
            if (auto when = cron->next(std::chrono::system_clock::now()))
                next = isoLocal(*when);
        printJson({{"repository", repository.directory().string()},
                   {"backups", listed},
                   {"next_scheduled", next ? nlohmann::json(*next) : nlohmann::json()}});
        return problems.empty() ? kExitOk : kExitFailed;
    }
    if (backups.empty()) {
        std::cout << "no backups in " << repository.directory().string() << "\n";
    } else {
        std::cout << std::left << std::setw(20) << "ID" << std::setw(48) << "TYPES" << std::setw(9)
                  << "PATHS" << std::setw(12) << "BYTES" << std::setw(12) << "NEW"
                  << "STATE\n";
        for (const auto& backup : backups) {
            std::string types;
            for (const auto& type : backup.types())
                types += (types.empty() ? "" : ",") + type;
            std::cout << std::left << std::setw(20) << backup.id << std::setw(48) << types
                      << std::setw(9) << backup.files() << std::setw(12)
                      << formatBytes(backup.bytes()) << std::setw(12)
                      << formatBytes(backup.newBytes())
                      << (backup.complete() ? "complete" : "incomplete (interrupted)") << "\n";
        }
    }
    if (auto cron = schedule(session.config())) {
        auto next = cron->next(std::chrono::system_clock::now());
        std::cout << "next scheduled backup: " << (next ? isoLocal(*next) : std::string("never"))
                  << " (backup.schedule \"" << session.config().string("backup.schedule")
                  << "\", run by lfs-wrapper daemon)\n";
    }
    return problems.empty() ? kExitOk : kExitFailed;
}

int verify(Session& session, const po::variables_map& values)
{
    if (auto plugin = session.backups().plugin())
        return report(plugin->backend.verify(
            values.count("backup") ? values["backup"].as<std::string>() : "", plugin->context));
    if (!haveBackups(session, "backup verify"))
        return kExitFailed;
    BackupRepository& repository = session.backups().repository();
    std::vector<Backup> chosen;
    if (values.count("all")) {
        chosen = repository.list();
    } else {
        auto backup = findBackupOrSay(session.backups(), values.count("backup")
                                                             ? values["backup"].as<std::string>()
                                                             : std::string("latest"));
        if (!backup)
            return kExitFailed;
        chosen.push_back(*backup);
    }
    int bad = 0;
    for (const auto& backup : chosen) {
        ProgressBar bar("verify " + backup.id);
        auto problems = repository.verify(backup, bar.callback());
        const std::string incomplete =
            backup.complete() ? ""
                              : "; incomplete: " + std::to_string(backup.parts.size()) + " of " +
                                    std::to_string(backup.expectedParts) +
                                    " parts (its creation was interrupted)";
        if (problems.empty()) {
            std::cout << "backup " << backup.id << ": OK, every object re-read and re-hashed ("
                      << backup.files() << " paths" << incomplete << ")\n";
            continue;
        }
        ++bad;
        std::cout << "backup " << backup.id << ": " << problems.size() << " problem(s)\n";
        for (const auto& problem : problems) {
            if (problem.affected.empty())
                std::cout << "  " << problem.message << "\n";
            for (const auto& path : problem.affected)
                std::cout << "  " << problem.message.substr(0, problem.message.find(':')) << ": "
                          << path << "\n";
        }
    }
    if (chosen.empty())
        std::cout << "no backups to verify\n";
    return bad ? kExitFailed : kExitOk;
}

int restore(Session& session, const po::variables_map& values)
{
    BackupService::RestoreRequest request;
    if (values.count("backup"))
        request.selector = values["backup"].as<std::string>();
    if (values.count("selective"))
        request.selective = values["selective"].as<std::vector<std::string>>();
    if (values.count("to"))
        request.to = values["to"].as<std::string>();
    BackupService::Restored restored;
    {
        ProgressBar bar("restore " + request.selector);
        restored = session.backups().restore(request, bar.callback());
    }
    for (const auto& line : restored.said)
        std::cout << line << "\n";
    for (const auto& line : restored.errors)
        std::cerr << "lfs-wrapper: " << line << "\n";
    return restored.ok ? kExitOk : kExitFailed;
}

int testRestore(Session& session, const po::variables_map&)
{
    if (auto plugin = session.backups().plugin()) {
        // Restore into scratch, then let the backend re-read its data.
        const auto scratch = session.stateDirectory() / "test-restore";
        std::filesystem::remove_all(scratch);
        auto restored = plugin->backend.restore("latest", {}, scratch.string(), plugin->context);
        std::filesystem::remove_all(scratch);
        if (!restored.ok())
            return report(restored);
        std::cout << restored.message() << " (scratch, removed)\n";
        return report(plugin->backend.verify("", plugin->context));
    }
    BackupRepository& repository = session.backups().repository();
    auto backup = findBackupOrSay(session.backups(), "latest");
    if (!backup)
        return kExitFailed;
    ProgressBar bar("test-restore " + backup->id);
    auto mismatches = repository.testRestore(*backup, bar.callback());
    if (mismatches.empty()) {
        std::cout << "test-restore of backup " << backup->id << ": OK, " << backup->files()
                  << " paths restored into a scratch directory and compared bit for bit "
                     "(content, type, mode, owner, mtime, links); scratch removed\n";
        return kExitOk;
    }
    std::cout << "test-restore of backup " << backup->id << ": " << mismatches.size()
              << " problem(s)\n";
    for (const auto& line : mismatches)
        std::cout << "  " << line << "\n";
    return kExitFailed;
}

int prune(Session& session, const po::variables_map&)
{
    return report(session.backups().prune());
}

int scheduleCommand(Session& session, const po::variables_map& values)
{
    auto cron = schedule(session.config());
    auto from = std::chrono::system_clock::now();
    if (values.count("from")) {
        auto parsed = parseLocal(values["from"].as<std::string>());
        if (!parsed) {
            std::cerr << "lfs-wrapper: backup schedule: --from expects a local time such as "
                         "2026-11-25T21:30, found '"
                      << values["from"].as<std::string>() << "'\n";
            return kExitUsage;
        }
        from = *parsed;
    }
    const int count = values["count"].as<int>();
    for (int i = 0; i < count; ++i) {
        auto next = cron->next(from);
        if (!next) {
            if (i == 0)
                std::cout << "never (within five years)\n";
            break;
        }
        std::cout << isoLocal(*next) << "\n";
        from = *next;
    }
    return kExitOk;
}

} // namespace

void addBackupJobs(Daemon& daemon)
{
    DaemonJob job;
    job.name = "backup";
    job.due = [](const Config& config, std::chrono::system_clock::time_point last) {
        auto cron = schedule(config);
        return cron ? cron->next(last) : std::nullopt;
    };
    job.run = [](Services& services) {
        auto result = services.backups().createAndPrune();
        if (!result.ok())
            throw std::runtime_error(result.message());
        Logger logger = makeLogger("daemon");
        LFSW_LOG(logger, Info) << "scheduled backup done: " << result.message();
    };
    daemon.addJob(std::move(job));
}

void addBackupCommands(std::vector<Command>& commands)
{
    auto backupArgument = [](po::options_description& options,
                             po::positional_options_description& positional) {
        options.add_options()("backup", po::value<std::string>()->value_name("ID|latest"),
                              "which backup (default latest)");
        positional.add("backup", 1);
    };
    commands.push_back(
        {"backup create", "[--critical-only] [--type T]...", "Take a backup (backup.types)",
         "Backs up the types of backup.types, or those named: system-state (the build\n"
         "tree), build-progress (the state database through SQLite's backup API, the\n"
         "plan and the config), critical-data (backup.critical_data). --critical-only\n"
         "means critical-data and build-progress. Objects are compressed with zstd;\n"
         "files unchanged since the last backup are not read again. A second backup\n"
         "command while one writes the repository is refused.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("critical-only", "critical-data and build-progress only")(
                 "type", po::value<std::vector<std::string>>()->value_name("T"),
                 "system-state, build-progress or critical-data (repeatable)");
         },
         create});
    commands.push_back({"backup list", "[--json]", "List backups and the next scheduled one", "",
                        ConfigNeed::Structural, flagOption("json", kJsonHelp), list});
    commands.push_back({"backup verify", "latest|ID|--all",
                        "Re-read and re-hash every object a backup uses; name each damaged path",
                        "Exit status 1 when any object is missing or corrupt.",
                        ConfigNeed::Structural,
                        [backupArgument](po::options_description& options,
                                         po::positional_options_description& positional) {
                            backupArgument(options, positional);
                            options.add_options()("all", "every backup");
                        },
                        verify});
    commands.push_back(
        {"backup restore", "[ID|latest] [--selective PATH...] [--to DIR]",
         "Restore a backup where it came from, or under DIR",
         "Each type goes back where it came from: the build tree reverted in place,\n"
         "the state database through SQLite's backup API, files by atomic rename.\n"
         "--selective restores only these paths (absolute, or relative to the build\n"
         "root) and leaves everything else. --to DIR restores under DIR instead (one\n"
         "directory per type); DIR inside a directory the backup holds is refused.\n"
         "A missing or corrupt object: everything else is restored, the path is\n"
         "named, and the exit status is 1.",
         ConfigNeed::Full,
         [backupArgument](po::options_description& options,
                          po::positional_options_description& positional) {
             backupArgument(options, positional);
             options.add_options()(
                 "selective",
                 po::value<std::vector<std::string>>()->multitoken()->value_name("PATH"),
                 "only these paths")("to", po::value<std::string>()->value_name("DIR"),
                                     "restore under DIR");
         },
         restore});
    commands.push_back({"backup test-restore", "",
                        "Restore the latest backup into scratch, compare bit for bit, remove it",
                        "", ConfigNeed::Structural, nullptr, testRestore});
    commands.push_back({"backup prune", "",
                        "Remove backups past backup.retention (never the newest)",
                        "Keeps every backup younger than backup.retention and always the newest;\n"
                        "removes the others' manifests first, then objects no backup uses.",
                        ConfigNeed::Structural, nullptr, prune});
    commands.push_back(
        {"backup schedule", "[--from TIME] [--count N]",
         "Print the next times backup.schedule fires, local ISO 8601",
         "Like systemd-analyze calendar: check a cron line before trusting it.\n"
         "--from takes a local time such as 2026-11-25T21:30.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("from", po::value<std::string>()->value_name("TIME"),
                                   "start after this local time (default now)")(
                 "count", po::value<int>()->default_value(5)->value_name("N"), "how many");
         },
         scheduleCommand});
}

} // namespace lfsw::host
