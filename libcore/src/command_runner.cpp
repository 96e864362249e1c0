// SPDX-License-Identifier: MIT
#include <lfsw/command_runner.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lfsw/units.h>

extern char** environ;

namespace lfsw {

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

std::string CommandOutcome::summary() const
{
    if (!started)
        return "could not start: " + error;
    if (timedOut)
        return error;
    if (signal != 0) {
        const char* name = sigabbrev_np(signal);
        return "killed by signal " + std::to_string(signal) +
               (name ? std::string(" (SIG") + name + ")" : std::string());
    }
    return "exited with status " + std::to_string(exitStatus);
}

CommandOutcome CommandRunner::run(const std::string& command, const Options& options,
                                  const std::function<void(std::string_view line)>& onLine) const
{
    CommandOutcome outcome;
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        outcome.error = std::strerror(errno);
        return outcome;
    }
    // Build the environment before fork: only async-signal-safe calls after it.
    std::vector<std::string> environment;
    for (char** entry = environ; *entry; ++entry) {
        std::string_view text(*entry);
        auto key = std::string(text.substr(0, text.find('=')));
        if (!options.environment.count(key))
            environment.emplace_back(text);
    }
    for (const auto& [key, value] : options.environment)
        environment.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : environment)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    const std::string workdir = options.workdir.string();

    pid_t child = ::fork();
    if (child < 0) {
        outcome.error = std::strerror(errno);
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return outcome;
    }
    if (child == 0) {
        ::setpgid(0, 0);
        ::dup2(pipeFds[1], STDOUT_FILENO);
        ::dup2(pipeFds[1], STDERR_FILENO);
        int devNull = ::open("/dev/null", O_RDONLY);
        if (devNull >= 0)
            ::dup2(devNull, STDIN_FILENO);
        if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) {
            const char message[] = "lfs-wrapper: cannot change to the working directory\n";
            [[maybe_unused]] auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
            ::_exit(127);
        }
        const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
        ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
        ::_exit(127);
    }
    ::setpgid(child, child); // also here: whichever of parent and child runs first
    ::close(pipeFds[1]);
    outcome.started = true;

    const auto start = Clock::now();
    std::optional<Clock::time_point> killAt;
    std::string pending;
    bool open = true;
    bool reaped = false;
    int status = 0;
    char buffer[65536];
    while (open) {
        int waitMs = -1;
        auto now = Clock::now();
        if (options.timeout.count() > 0 && !outcome.timedOut) {
            auto deadline = start + options.timeout;
            if (now >= deadline) {
                outcome.timedOut = true;
                ::kill(-child, SIGTERM);
                killAt = now + options.grace;
            } else {
                waitMs = static_cast<int>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() +
                    1);
            }
        }
        if (killAt) {
            if (now >= *killAt) {
                ::kill(-child, SIGKILL);
                killAt.reset();
            } else {
                waitMs = static_cast<int>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(*killAt - now).count() +
                    1);
            }
        }
        // Wake up now and then: a background child may hold the pipe open
        // after the shell itself has exited.
        if (waitMs < 0 || waitMs > 200)
            waitMs = 200;
        pollfd descriptor{pipeFds[0], POLLIN, 0};
        int ready = ::poll(&descriptor, 1, waitMs);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0) {
            if (!reaped && ::waitpid(child, &status, WNOHANG) == child) {
                reaped = true;
                ::kill(-child, SIGKILL);
            }
            continue;
        }
        ssize_t count = ::read(pipeFds[0], buffer, sizeof buffer);
        if (count <= 0) {
            open = count < 0 && errno == EINTR;
            continue;
        }
        pending.append(buffer, static_cast<std::size_t>(count));
        std::size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            if (onLine)
                onLine(std::string_view(pending).substr(0, newline));
            pending.erase(0, newline + 1);
        }
    }
    if (!pending.empty() && onLine)
        onLine(pending);
    ::close(pipeFds[0]);

    while (!reaped && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    // The shell is gone; anything it left in its group goes with it.
    ::kill(-child, SIGKILL);
    if (WIFEXITED(status))
        outcome.exitStatus = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        outcome.signal = WTERMSIG(status);
    if (outcome.timedOut)
        outcome.error = "timed out after " + formatDuration(std::chrono::duration_cast<std::chrono::seconds>(options.timeout));
    return outcome;
}

} // namespace lfsw
