// SPDX-License-Identifier: MIT
// health check, system check --full
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include <sys/utsname.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/counted.h"
#include "base/pid_lock.h"
#include "base/process_table.h"
#include "base/time_text.h"
#include "build/build_tree.h"
#include "command.h"
#include "daemon.h"
#include "monitor/resource_monitor.h"
#include "session.h"
#include "store/backup_repository.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

// The checks' lines, "OK    what", "WARN  what", "FAIL  what", and the
// exit status they add up to.
class Report
{
public:
    Report(bool colour, bool json) : colour_(colour), json_(json) {}
    ~Report()
    {
        if (json_)
            printJson({{"failures", failures_}, {"checks", checks_}});
    }
    Report(const Report&) = delete;
    Report& operator=(const Report&) = delete;

    void ok(const std::string& text) { line("OK  ", "\033[32m", text); }
    void warn(const std::string& text) { line("WARN", "\033[33m", text); }
    void fail(const std::string& text)
    {
        ++failures_;
        line("FAIL", "\033[31m", text);
    }
    int failures() const { return failures_; }

private:
    void line(const char* word, const char* colour, const std::string& text)
    {
        if (json_) {
            std::string status = word;
            while (!status.empty() && status.back() == ' ')
                status.pop_back();
            const auto colon = text.find(": ");
            checks_.push_back(
                {{"status", status},
                 {"check", colon == std::string::npos ? text : text.substr(0, colon)},
                 {"message", colon == std::string::npos ? "" : text.substr(colon + 2)}});
            return;
        }
        if (colour_)
            std::cout << colour << word << "\033[0m  " << text << "\n";
        else
            std::cout << word << "  " << text << "\n";
    }

    bool colour_;
    bool json_;
    int failures_ = 0;
    nlohmann::json checks_ = nlohmann::json::array();
};

std::string ageOf(std::chrono::system_clock::time_point time)
{
    return formatDuration(std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now() - time)) +
           " ago";
}

void checkConfigAndPlugins(Session& session, Report& report)
{
    auto problems = session.configProblems(true);
    if (problems.empty())
        report.ok("config: " + session.configSourceDescription() + " is valid");
    else
        report.fail("config: " + std::to_string(problems.size()) + " problem(s), the first: " +
                    problems.front().format() + " (lfs-wrapper config validate)");
    const auto& plugins = session.plugins();
    const std::string counts = std::to_string(plugins.plugins().size()) + " loaded, " +
                               std::to_string(plugins.refusals().size()) + " refused";
    if (plugins.refusals().empty())
        report.ok("plugins: " + counts);
    else
        report.fail("plugins: " + counts + ": " + plugins.refusals().front());
}

void checkDatabase(Session& session, Report& report, bool thorough)
{
    const auto file = session.stateDirectory() / StateDatabase::kFileName;
    if (!std::filesystem::exists(file)) {
        report.warn("state database: none yet at " + file.string() +
                    " (lfs-wrapper recovery init creates it)");
        return;
    }
    try {
        auto check =
            session.database().prepare(thorough ? "PRAGMA integrity_check" : "PRAGMA quick_check");
        std::string first;
        int problems = 0;
        while (check.step()) {
            if (check.text(0) == "ok")
                continue;
            if (first.empty())
                first = check.text(0);
            ++problems;
        }
        const std::string how = thorough ? "integrity_check" : "quick_check";
        if (problems == 0)
            report.ok("state database: " + file.string() + " (" + how + " ok)");
        else
            report.fail("state database: " + how + " found " + std::to_string(problems) +
                        " problem(s): " + first +
                        " (lfs-wrapper backup restore puts back the latest backup's copy)");
    } catch (const std::exception& e) {
        report.fail("state database: " + std::string(e.what()) +
                    " (lfs-wrapper backup restore puts back the latest backup's copy)");
    }
}

void checkStore(Session& session, Report& report, bool thorough)
{
    if (!std::filesystem::exists(session.stateDirectory() / "store")) {
        report.warn("checkpoints: none yet");
        return;
    }
    try {
        BuildTree tree(session.config(), session.stateDirectory());
        auto& store = tree.store();
        std::vector<std::string> problems;
        if (thorough) {
            for (const auto& problem : store.verify(nullptr))
                problems.push_back(problem.message + (problem.affected.empty()
                                                          ? std::string()
                                                          : " (" + problem.affected.front() + ")"));
        }
        auto manifests = store.list(&problems);
        std::size_t missing = 0;
        if (!thorough)
            for (const auto& manifest : manifests)
                for (const auto& entry : manifest.entries)
                    if (!entry.hash.empty() && !store.hasObject(entry.hash))
                        if (++missing == 1)
                            problems.push_back("checkpoint " + manifest.name + ": object of " +
                                               entry.path + " is missing");
        if (problems.empty())
            report.ok("store: " + counted(manifests.size(), "checkpoint") + " consistent" +
                      (thorough ? ", every object re-hashed" : ""));
        else
            report.fail("store: " + std::to_string(problems.size()) + " problem(s), the first: " +
                        problems.front() + " (lfs-wrapper verify system --all)");
        if (manifests.empty())
            report.warn("last checkpoint: none (checkpoints are taken after each step)");
        else
            report.ok("last checkpoint: " + manifests.back().name + ", taken " +
                      (parseIsoUtc(manifests.back().created)
                           ? ageOf(*parseIsoUtc(manifests.back().created))
                           : manifests.back().created));
    } catch (const std::exception& e) {
        report.fail("store: " + std::string(e.what()));
    }
}

void checkResources(Session& session, Report& report)
{
    if (!session.config().problems().empty()) {
        report.warn("resources: not checked, the config's thresholds are invalid");
        return;
    }
    ResourceMonitor monitor(session.config(), session.stateDirectory());
    monitor.prime();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    monitor.tick();
    for (const auto& reading : monitor.readings()) {
        char figures[64];
        std::snprintf(figures, sizeof figures, "%.1f%% (threshold %.1f%%)", reading.value,
                      reading.threshold);
        const std::string text = reading.resource +
                                 (reading.subject.empty() ? "" : " " + reading.subject) + ": " +
                                 figures + ", " + reading.detail;
        if (reading.value >= reading.threshold)
            report.warn(text);
        else
            report.ok(text);
    }
}

void checkProcesses(Session& session, Report& report)
{
    std::optional<RunRecord> run;
    bool known = true;
    if (session.stateDirectoryExists()) {
        try {
            run = session.journal().latestRun();
        } catch (const std::exception& e) {
            known = false;
            report.fail("supervisor: cannot tell whether a build runs: " + std::string(e.what()));
        }
        if (run && run->state == "running") {
            if (session.remoteControl().supervisorAlive(run->supervisorPid))
                report.ok("supervisor: pid " + std::to_string(run->supervisorPid) + " runs build " +
                          std::to_string(run->id));
            else
                report.fail("supervisor: build " + std::to_string(run->id) +
                            " is marked running but its supervisor (pid " +
                            std::to_string(run->supervisorPid) +
                            ") is gone (lfs-wrapper build analyze-state)");
        } else if (known) {
            report.ok("supervisor: no build running");
        }
    }
    auto daemon = PidLock::holder(session.stateDirectory() / Daemon::kLockFileName);
    if (daemon)
        report.ok("daemon: pid " + std::to_string(*daemon));
    else
        report.warn("daemon: not running (scheduled backups and monitoring outside builds need "
                    "it: lfs-wrapper daemon)");
}

void checkBackups(Session& session, Report& report)
{
    if (!session.config().problems().empty())
        return;
    const auto location = BackupRepository::location(session.config(), session.stateDirectory());
    if (!std::filesystem::exists(location / "manifests")) {
        report.warn("last backup: none in " + location.string() + " (lfs-wrapper backup create)");
        return;
    }
    try {
        BackupRepository repository(session.config(), session.stateDirectory());
        std::vector<std::string> problems;
        auto backups = repository.list(&problems);
        if (!problems.empty())
            report.fail("backups: " + std::to_string(problems.size()) +
                        " unreadable manifest(s), the first: " + problems.front());
        if (backups.empty())
            report.warn("last backup: none in " + location.string() +
                        " (lfs-wrapper backup create)");
        else
            report.ok("last backup: " + backups.back().id + ", taken " +
                      ageOf(backups.back().created) +
                      (backups.back().complete() ? "" : " (incomplete: interrupted)"));
    } catch (const std::exception& e) {
        report.fail("backups: " + std::string(e.what()));
    }
}

int healthReport(Session& session, bool thorough, Report& report)
{
    checkConfigAndPlugins(session, report);
    checkDatabase(session, report, thorough);
    checkStore(session, report, thorough);
    checkBackups(session, report);
    checkResources(session, report);
    checkProcesses(session, report);
    return report.failures();
}

int healthCheck(Session& session, const po::variables_map& values)
{
    Report report(session.colour(), values.count("json") != 0);
    healthReport(session, values.count("thorough") != 0, report);
    return report.failures() ? kExitFailed : kExitOk;
}

// "bash, version 5.2.15(1)" -> {5, 2, 15} and "5.2.15"; a missing third
// number counts as 0.
std::vector<int> versionNumbers(const std::string& text, std::string* shown = nullptr)
{
    const std::regex pattern(R"((\d+)\.(\d+)(?:\.(\d+))?)");
    std::smatch match;
    std::vector<int> numbers;
    if (std::regex_search(text, match, pattern)) {
        for (std::size_t i = 1; i < match.size(); ++i)
            numbers.push_back(match[i].matched ? std::stoi(match[i].str()) : 0);
        if (shown)
            *shown = match[0].str();
    }
    return numbers;
}

std::string joinVersion(const std::vector<int>& numbers)
{
    std::string text;
    for (int n : numbers)
        text += (text.empty() ? "" : ".") + std::to_string(n);
    return text;
}

// The LFS book's host requirements (version-check.sh): the tool, how to
// ask its version, the minimum.
struct Requirement {
    const char* name;
    const char* command;
    std::vector<int> minimum;
};

void checkHostTools(Report& report)
{
    const std::vector<Requirement> requirements = {
        {"bash", "bash --version", {3, 2}},         {"binutils", "ld --version", {2, 13, 1}},
        {"bison", "bison --version", {2, 7}},       {"coreutils", "sort --version", {8, 1}},
        {"diffutils", "diff --version", {2, 8, 1}}, {"findutils", "find --version", {4, 2, 31}},
        {"gawk", "gawk --version", {4, 0, 1}},      {"gcc", "gcc --version", {5, 2}},
        {"g++", "g++ --version", {5, 2}},           {"grep", "grep --version", {2, 5, 1}},
        {"gzip", "gzip --version", {1, 3, 12}},     {"m4", "m4 --version", {1, 4, 10}},
        {"make", "make --version", {4, 0}},         {"patch", "patch --version", {2, 5, 4}},
        {"perl", "perl -V:version", {5, 8, 8}},     {"python3", "python3 --version", {3, 4}},
        {"sed", "sed --version", {4, 1, 5}},        {"tar", "tar --version", {1, 22}},
        {"texinfo", "makeinfo --version", {5, 0}},  {"xz", "xz --version", {5, 0, 0}},
    };
    CommandRunner::Options options;
    options.timeout = std::chrono::seconds(10);
    options.grace = std::chrono::seconds(1);
    for (const auto& requirement : requirements) {
        std::string first;
        auto outcome = CommandRunner().run(std::string(requirement.command) + " 2>&1 </dev/null",
                                           options, [&](std::string_view line) {
                                               if (first.empty())
                                                   first = std::string(line);
                                           });
        std::string shown;
        const auto found = versionNumbers(first, &shown);
        const std::string minimum = joinVersion(requirement.minimum);
        if (!outcome.succeeded() || found.empty())
            report.fail(std::string("host tool ") + requirement.name + ": not found (`" +
                        requirement.command + "` failed; LFS needs " + minimum + " or newer)");
        else if (found < requirement.minimum)
            report.fail(std::string("host tool ") + requirement.name + ": " + shown +
                        " is older than the " + minimum + " LFS needs");
        else
            report.ok(std::string("host tool ") + requirement.name + ": " + shown +
                      " (>= " + minimum + ")");
    }
    std::error_code error;
    const auto shell = std::filesystem::canonical("/bin/sh", error);
    if (!error && shell.filename() == "bash")
        report.ok("/bin/sh is bash");
    else
        report.fail("/bin/sh is " + (error ? "missing" : shell.string()) +
                    ", not bash (LFS's scripts need it to be bash)");
    utsname host{};
    ::uname(&host);
    const auto kernel = versionNumbers(host.release);
    if (kernel >= std::vector<int>{5, 4})
        report.ok(std::string("kernel ") + host.release + " (>= 5.4)");
    else
        report.fail(std::string("kernel ") + host.release + " is older than the 5.4 LFS needs");
}

// The mount holding the build root, from /proc/self/mountinfo.
void checkBuildRootMount(Session& session, Report& report)
{
    std::error_code error;
    const auto root = std::filesystem::weakly_canonical(session.config().buildRoot(), error);
    if (!std::filesystem::is_directory(root)) {
        report.warn("build root " + root.string() + " does not exist yet");
        return;
    }
    std::ifstream in("/proc/self/mountinfo");
    std::string best;
    std::string type;
    std::string options;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, source, point, mountOptions, field;
        fields >> id >> parent >> device >> source >> point >> mountOptions;
        while (fields >> field && field != "-") {
        }
        std::string fsType;
        fields >> fsType;
        const auto relative = root.lexically_relative(point);
        if (!relative.empty() && relative.string().rfind("..", 0) != 0 &&
            point.size() >= best.size()) {
            best = point;
            type = fsType;
            options = mountOptions;
        }
    }
    const std::string text =
        "build root " + root.string() + " is on " + best + " (" + type + ", " + options + ")";
    auto has = [&](const std::string& option) {
        return ("," + options + ",").find("," + option + ",") != std::string::npos;
    };
    if (has("noexec") || has("ro"))
        report.fail(text + ": LFS needs to write and run programs there");
    else if (has("nodev") || has("nosuid"))
        report.warn(text + ": nodev/nosuid break device nodes and setuid programs in the tree");
    else
        report.ok(text);
}

int systemCheck(Session& session, const po::variables_map& values)
{
    if (!values.count("full")) {
        std::cerr << "lfs-wrapper: system check needs --full (health plus the LFS host "
                     "requirements)\n";
        return kExitUsage;
    }
    Report report(session.colour(), false);
    healthReport(session, true, report);
    checkHostTools(report);
    checkBuildRootMount(session, report);
    const int failures = report.failures();
    std::cout << "\nerrors of every build (analyze errors --comprehensive):\n";
    printErrorAnalysis(session, true);
    return failures ? kExitFailed : kExitOk;
}

} // namespace

void addHealthCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"health check", "[--thorough] [--json]",
         "Check config, plugins, state, store, resources, processes",
         "One line per check, OK, WARN or FAIL: the config is valid, the plugins load,\n"
         "the state database passes PRAGMA quick_check (integrity_check with\n"
         "--thorough), the store's checkpoints have their objects (every object\n"
         "re-hashed with --thorough), resources against their thresholds, the\n"
         "supervisor and the daemon, and the age of the last checkpoint and backup.\n"
         "Exit status 1 when any check FAILs.",
         ConfigNeed::None,
         [](po::options_description& options, po::positional_options_description&) {
             options.add_options()("thorough", "integrity_check and a full re-hash of the store")(
                 "json", kJsonHelp);
         },
         healthCheck});
    commands.push_back(
        {"system check", "--full", "Health plus the LFS host requirements and every build's errors",
         "Everything health check --thorough checks, then the host requirements of\n"
         "an LFS build from the LFS book's version check (bash, binutils, bison,\n"
         "coreutils, diffutils, findutils, gawk, gcc, g++, grep, gzip, m4, make, patch,\n"
         "perl, python3, sed, tar, texinfo, xz with their minimum versions; /bin/sh\n"
         "being bash; the kernel), the build root's filesystem and mount options,\n"
         "and analyze errors --comprehensive. Exit status 1 when any check FAILs.",
         ConfigNeed::None, flagOption("full", "everything (required)"), systemCheck});
}

} // namespace lfsw::host
