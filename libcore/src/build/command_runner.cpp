// SPDX-License-Identifier: MIT
#include <lfsw/command_runner.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lfsw/units.h>

#include "base/process_table.h"
#include "base/unique_fd.h"
#include "build/chroot_mounts.h"

extern char** environ;

namespace lfsw {

namespace {

using Clock = std::chrono::steady_clock;

// Who the child becomes, resolved before fork (getpwnam is not safe after it).
struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    std::string home;
    std::string name;
};

std::optional<Identity> resolveUser(const std::string& user, std::string& error)
{
    passwd* entry = ::getpwnam(user.c_str());
    if (!entry) {
        error = "no user '" + user + "' on this system";
        return std::nullopt;
    }
    Identity identity{entry->pw_uid, entry->pw_gid, {}, entry->pw_dir, entry->pw_name};
    int count = 64;
    identity.groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(entry->pw_name, entry->pw_gid, identity.groups.data(), &count) < 0) {
        identity.groups.resize(static_cast<std::size_t>(count));
        ::getgrouplist(entry->pw_name, entry->pw_gid, identity.groups.data(), &count);
    }
    identity.groups.resize(static_cast<std::size_t>(count));
    return identity;
}

[[noreturn]] void childFail(const char* what)
{
    char message[256];
    int length =
        std::snprintf(message, sizeof message, "lfs-wrapper: %s: %s\n", what, std::strerror(errno));
    [[maybe_unused]] auto written =
        ::write(STDERR_FILENO, message, static_cast<std::size_t>(length));
    ::_exit(127);
}

// The pids of this process's children, from /proc with system calls only
// (this runs after fork in a process that may have threads). A child's pid
// cannot be reused before its parent reaps it, so signalling it is safe.
void killChildren(pid_t self)
{
    UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!proc.isValid())
        return;
    alignas(dirent64) char entries[8192];
    for (ssize_t count; (count = ::getdents64(proc.get(), entries, sizeof entries)) > 0;) {
        for (ssize_t at = 0; at < count;) {
            const auto* entry = reinterpret_cast<const dirent64*>(entries + at);
            at += entry->d_reclen;
            pid_t pid = 0;
            const char* name = entry->d_name;
            for (; *name >= '0' && *name <= '9'; ++name)
                pid = pid * 10 + (*name - '0');
            if (*name != '\0' || pid <= 0)
                continue;
            char path[48];
            char* end = path;
            for (const char* p = "/proc/"; *p;)
                *end++ = *p++;
            for (const char* p = entry->d_name; *p;)
                *end++ = *p++;
            for (const char* p = "/stat"; *p;)
                *end++ = *p++;
            *end = '\0';
            UniqueFd statFd(::open(path, O_RDONLY | O_CLOEXEC));
            if (!statFd.isValid())
                continue;
            char stat[512];
            const ssize_t length = ::read(statFd.get(), stat, sizeof stat - 1);
            statFd.reset();
            if (length <= 0)
                continue;
            stat[length] = '\0';
            // "pid (comm) S ppid ...": comm ends at the last ')'.
            const char* close = nullptr;
            for (const char* p = stat; *p; ++p)
                if (*p == ')')
                    close = p;
            if (!close || close[1] == '\0' || close[2] == '\0' || close[3] == '\0')
                continue;
            pid_t parent = 0;
            for (const char* p = close + 4; *p >= '0' && *p <= '9'; ++p)
                parent = parent * 10 + (*p - '0');
            if (parent == self)
                ::kill(pid, SIGKILL);
        }
    }
}

// The keeper's part (see Options::containProcesses): waits for the command,
// reaping whatever is handed to it meanwhile; then ends every process left,
// and exits as the command did.
[[noreturn]] void keepCommand(pid_t command)
{
    ::close_range(0, ~0U, 0); // the output pipe and the lock files are the command's business
    // A stop or timeout signals the whole group, this process too: it must
    // outlive the command to report how it ended.
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGQUIT})
        ::signal(signal, SIG_IGN);
    int commandStatus = 0;
    for (;;) {
        int status = 0;
        const pid_t ended = ::waitpid(-1, &status, 0);
        if (ended == command) {
            commandStatus = status;
            break;
        }
        if (ended < 0 && errno != EINTR)
            break;
    }
    const pid_t self = ::getpid();
    for (;;) {
        killChildren(self);
        pid_t ended;
        while ((ended = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
        }
        if (ended < 0 && errno == ECHILD)
            break;
        const timespec pause{0, 10 * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
    if (WIFSIGNALED(commandStatus)) {
        ::signal(WTERMSIG(commandStatus), SIG_DFL);
        ::kill(self, WTERMSIG(commandStatus));
    }
    ::_exit(WIFEXITED(commandStatus) ? WEXITSTATUS(commandStatus) : 128 + WTERMSIG(commandStatus));
}

} // namespace

std::string CommandOutcome::summary() const
{
    if (!started)
        return "could not start: " + error;
    if (timedOut)
        return error;
    if (stopped)
        return "stopped on request";
    if (signal != 0) {
        const char* name = sigabbrev_np(signal);
        return "killed by signal " + std::to_string(signal) +
               (name ? std::string(" (SIG") + name + ")" : std::string());
    }
    // A shell reports a command that a signal ended as 128 + the signal.
    if (exitStatus > 128 && exitStatus < 128 + 65) {
        const int by = exitStatus - 128;
        const char* name = sigabbrev_np(by);
        return "exited with status " + std::to_string(exitStatus) + " (a command was killed by " +
               (name ? std::string("SIG") + name : "signal " + std::to_string(by)) + ")";
    }
    return "exited with status " + std::to_string(exitStatus);
}

CommandOutcome CommandRunner::run(const std::string& command, const Options& options,
                                  const std::function<void(std::string_view line)>& onLine) const
{
    CommandOutcome outcome;
    std::optional<Identity> identity;
    if (!options.user.empty()) {
        identity = resolveUser(options.user, outcome.error);
        if (!identity)
            return outcome;
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        outcome.error = std::strerror(errno);
        return outcome;
    }
    UniqueFd readEnd(pipeFds[0]);
    UniqueFd writeEnd(pipeFds[1]);
    // Build everything before fork: only async-signal-safe calls after it.
    std::map<std::string, std::string> added = options.environment;
    if (identity) {
        added.emplace("HOME", identity->home);
        added.emplace("USER", identity->name);
        added.emplace("LOGNAME", identity->name);
    }
    auto inherited = [&](std::string_view name) {
        if (added.count(std::string(name)) ||
            std::find(options.withheld.begin(), options.withheld.end(), name) !=
                options.withheld.end())
            return false;
        if (!options.inheritOnly)
            return true;
        for (std::string_view pattern : *options.inheritOnly)
            if (pattern.ends_with('*') ? name.starts_with(pattern.substr(0, pattern.size() - 1))
                                       : name == pattern)
                return true;
        return false;
    };
    std::vector<std::string> environment;
    for (char** entry = environ; *entry; ++entry) {
        std::string_view text(*entry);
        if (inherited(text.substr(0, text.find('='))))
            environment.emplace_back(text);
    }
    for (const auto& [key, value] : added)
        environment.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : environment)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    const std::string workdir = options.workdir.string();
    const std::string workdirError = "cannot change to the working directory " + workdir;
    const std::string shell = options.shell.empty() ? "/bin/sh" : options.shell;
    const std::string shellError = "cannot run " + shell;
    const std::string chrootDir = options.chrootDir.string();
    const std::string cgroupProcs = options.cgroupProcs.string();
    std::optional<ChrootMounts> mounts;
    if (options.chrootMounts && !chrootDir.empty()) {
        try {
            mounts.emplace(options.chrootDir);
        } catch (const std::exception& e) {
            outcome.error = e.what();
            return outcome;
        }
    }

    pid_t child = ::fork();
    if (child < 0) {
        outcome.error = std::strerror(errno);
        return outcome;
    }
    if (child == 0) {
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr); // the supervisor blocks some
        ::signal(SIGPIPE, SIG_DFL);
        ::dup2(writeEnd.get(), STDOUT_FILENO);
        ::dup2(writeEnd.get(), STDERR_FILENO);
        int devNull = ::open("/dev/null", O_RDONLY);
        if (devNull >= 0)
            ::dup2(devNull, STDIN_FILENO);
        if (options.containProcesses) {
            // This process becomes the command's keeper: a subreaper, so that
            // every process the command leaves behind, in its group or not
            // (setsid, a daemon), becomes a child of this one, which ends
            // them all once the command has ended, then ends as it did. It
            // forks before the cgroup and the memory limit: they are the
            // command's, and the OOM killer must not pick the keeper.
            ::prctl(PR_SET_CHILD_SUBREAPER, 1);
            const pid_t command = ::fork();
            if (command < 0)
                childFail("cannot start the command");
            if (command > 0)
                keepCommand(command);
        }
        if (!cgroupProcs.empty()) {
            // "0" moves the writer itself, before it can fork anything.
            UniqueFd procs(::open(cgroupProcs.c_str(), O_WRONLY | O_CLOEXEC));
            if (!procs.isValid() || ::write(procs.get(), "0", 1) != 1)
                childFail("cannot join the step's memory cgroup");
            procs.reset();
        }
        if (options.memoryLimitBytes > 0) {
            rlimit limit{options.memoryLimitBytes, options.memoryLimitBytes};
            if (::setrlimit(RLIMIT_AS, &limit) != 0)
                childFail("cannot set the memory limit");
        }
        if (mounts) {
            if (const char* failed = mounts->enter())
                childFail(failed);
        }
        if (!chrootDir.empty()) {
            if (::chroot(chrootDir.c_str()) != 0)
                childFail("cannot chroot into the build root");
            if (::chdir("/") != 0)
                childFail("cannot change to / inside the chroot");
        }
        if (!workdir.empty() && ::chdir(workdir.c_str()) != 0)
            childFail(workdirError.c_str());
        if (identity) {
            if (::setgroups(identity->groups.size(), identity->groups.data()) != 0 ||
                ::setgid(identity->gid) != 0 || ::setuid(identity->uid) != 0)
                childFail("cannot switch to the step's user");
        }
        const char* argv[] = {shell.c_str(), "-c", command.c_str(), nullptr};
        ::execve(shell.c_str(), const_cast<char* const*>(argv), envp.data());
        childFail(shellError.c_str());
    }
    ::setpgid(child, child); // also here: whichever of parent and child runs first
    writeEnd.reset();
    // A larger pipe means fewer wake-ups for a step that prints a lot.
    ::fcntl(readEnd.get(), F_SETPIPE_SZ, 1 << 20);
    outcome.started = true;
    outcome.pid = child;
    if (options.onStarted)
        options.onStarted(child);

    const auto start = Clock::now();
    bool killPending = false; // SIGKILL due at killAt (after a timeout's grace)
    Clock::time_point killAt;
    auto lastStopPoll = Clock::time_point();
    std::string pending;
    bool open = true;
    bool reaped = false;
    int status = 0;
    loff_t spliceOffset = options.outputFile >= 0 ? 0 : -1; // where splice writes next
    loff_t copyOffset = -1;                                 // where the fallback copy writes next
    char buffer[65536];
    while (open) {
        int waitMs = 100;
        auto now = Clock::now();
        if (options.timeout.count() > 0 && !outcome.timedOut && !outcome.stopped) {
            auto deadline = start + options.timeout;
            if (now >= deadline) {
                outcome.timedOut = true;
                ::kill(-child, SIGTERM);
                killPending = true;
                killAt = now + options.grace;
            }
        }
        if (options.stopRequested && !outcome.stopped &&
            now - lastStopPoll >= std::chrono::milliseconds(100)) {
            lastStopPoll = now;
            Stop stop = options.stopRequested();
            if (stop != Stop::None) {
                outcome.stopped = true;
                // Everything below the shell, including what left its group.
                ProcessTable::terminate(child, child,
                                        stop == Stop::Force ? std::chrono::milliseconds(0)
                                                            : options.grace);
            }
        }
        if (killPending && now >= killAt) {
            ProcessTable::terminate(child, child, std::chrono::milliseconds(0));
            killPending = false;
        }
        pollfd descriptor{readEnd.get(), POLLIN, 0};
        int ready = ::poll(&descriptor, 1, waitMs);
        if (ready > 0 && (descriptor.revents & POLLIN) != 0) {
            // Let a chatty step fill the pipe a little: one wake-up per
            // quarter megabyte instead of one per write of a few kilobytes.
            int available = 0;
            if (::ioctl(readEnd.get(), FIONREAD, &available) == 0 && available < (256 << 10))
                ::usleep(2000);
        }
        if (ready > 0 && spliceOffset >= 0) {
            const loff_t at = spliceOffset;
            ssize_t moved = ::splice(readEnd.get(), nullptr, options.outputFile, &spliceOffset,
                                     1 << 20, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (moved > 0) {
                if (options.onAppended)
                    options.onAppended(at, static_cast<std::size_t>(moved));
                continue;
            }
            if (moved == 0) {
                open = false;
                continue;
            }
            if (errno == EAGAIN || errno == EINTR)
                continue;
            // The file system cannot splice: copy through this process instead.
            spliceOffset = -1;
            copyOffset = at;
        }
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0) {
            // A background child may hold the pipe open after the shell has exited.
            if (!reaped && ::waitpid(child, &status, WNOHANG) == child) {
                reaped = true;
                ::kill(-child, SIGKILL);
            }
            continue;
        }
        ssize_t count = ::read(readEnd.get(), buffer, sizeof buffer);
        if (count <= 0) {
            open = count < 0 && errno == EINTR;
            continue;
        }
        if (copyOffset >= 0) {
            const loff_t at = copyOffset;
            for (ssize_t written = 0; written < count;) {
                ssize_t n = ::pwrite(options.outputFile, buffer + written,
                                     static_cast<std::size_t>(count - written), copyOffset);
                if (n <= 0)
                    break;
                written += n;
                copyOffset += n;
            }
            if (options.onAppended)
                options.onAppended(at, static_cast<std::size_t>(count));
            continue;
        }
        if (options.onOutput) {
            options.onOutput(std::string_view(buffer, static_cast<std::size_t>(count)));
            continue;
        }
        pending.append(buffer, static_cast<std::size_t>(count));
        std::size_t begin = 0;
        std::size_t newline;
        while ((newline = pending.find('\n', begin)) != std::string::npos) {
            if (onLine)
                onLine(std::string_view(pending).substr(begin, newline - begin));
            begin = newline + 1;
        }
        pending.erase(0, begin);
    }
    if (!pending.empty() && onLine)
        onLine(pending);
    readEnd.reset();

    while (!reaped && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    // The shell is gone; anything it left in its group goes with it.
    ::kill(-child, SIGKILL);
    if (WIFEXITED(status))
        outcome.exitStatus = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        outcome.signal = WTERMSIG(status);
    if (outcome.timedOut)
        outcome.error =
            "timed out after " +
            formatDuration(std::chrono::duration_cast<std::chrono::seconds>(options.timeout));
    return outcome;
}

} // namespace lfsw
