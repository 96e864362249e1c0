// SPDX-License-Identifier: MIT
// system stop | restore | restore-base | check
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include <sys/utsname.h>

#include <lfsw/command_runner.h>
#include <lfsw/units.h>

#include "base/process_table.h"
#include "checkpoint_access.h"
#include "daemon.h"
#include "health_report.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int systemStop(Session& session, const po::variables_map& values)
{
    if (!values.count("all")) {
        std::cerr << "lfs-wrapper: system stop needs --all (the build, its supervisor and the "
                     "daemon of this state directory)\n";
        return kExitUsage;
    }
    if (!session.stateDirectoryExists()) {
        std::cout << "build: none running\nsupervisor: none running\ndaemon: none running\n";
        return kExitOk;
    }
    auto run = session.journal().latestRun();
    const bool supervisorRan = run && run->state == "running" &&
                               session.remoteControl().supervisorAlive(run->supervisorPid);
    auto result = session.remoteControl().stopBuild(values.count("force") > 0);
    std::cout << "build: " << result.message() << "\n"
              << "supervisor: "
              << (supervisorRan ? "pid " + std::to_string(run->supervisorPid) + " ended"
                                : "none running")
              << "\n";
    auto daemon = PidLock::holder(session.stateDirectory() / Daemon::kLockFileName);
    if (!daemon || *daemon <= 0) {
        std::cout << "daemon: none running\n";
    } else {
        std::vector<pid_t> pids{*daemon};
        ProcessTable::terminatePids(pids, values.count("force") ? std::chrono::seconds(0)
                                                                : std::chrono::seconds(10));
        std::cout << "daemon: pid " << *daemon << " ended\n";
    }
    return !result.ok() ? kExitFailed : kExitOk;
}

int restoreBaseline(Session& session, const po::variables_map&)
{
    return rewind(session, "baseline", "system restore baseline");
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

void checkHostTools(HealthReport& report)
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
void checkBuildRootMount(Session& session, HealthReport& report)
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
    HealthReport report(session.colour(), false);
    healthReport(session, true, report);
    checkHostTools(report);
    checkBuildRootMount(session, report);
    const int failures = report.failures();
    std::cout << "\nerrors of every build (analyze errors --comprehensive):\n";
    printErrorAnalysis(session, true);
    return failures ? kExitFailed : kExitOk;
}
} // namespace

void addSystemCommands(std::vector<Command>& commands)
{
    commands.push_back({"system stop", "--all [--force]",
                        "Stop the build, its supervisor and the daemon", "", ConfigNeed::Structural,
                        [](po::options_description& options, po::positional_options_description&) {
                            options.add_options()("all", "everything of this state directory")(
                                "force", "kill at once (SIGKILL)");
                        },
                        systemStop});
    commands.push_back(
        {"system restore", "baseline",
         "Restore the checkpoint tagged baseline and set progress back to it", "",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("which", po::value<std::string>()->required(), "baseline");
             positional.add("which", 1);
         },
         [](Session& session, const po::variables_map& values) {
             if (values["which"].as<std::string>() != "baseline") {
                 std::cerr << "lfs-wrapper: system restore knows only 'baseline'\n";
                 return kExitUsage;
             }
             return restoreBaseline(session, values);
         }});
    commands.push_back({"system restore-base", "", "Same as: system restore baseline", "",
                        ConfigNeed::Structural, nullptr, restoreBaseline});
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
