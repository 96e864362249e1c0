// SPDX-License-Identifier: MIT
#include "console_reporter.h"

#include <cstdio>

#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lfsw::host {

namespace {

std::string elapsedText(std::chrono::steady_clock::duration elapsed)
{
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    return text;
}

int terminalWidth()
{
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20)
        return size.ws_col;
    return 80;
}

} // namespace

namespace {
// Whether stdout is /dev/null: then forwarding output there is wasted work.
bool stdoutDiscards()
{
    struct stat out {
    }, null{};
    return ::fstat(STDOUT_FILENO, &out) == 0 && ::stat("/dev/null", &null) == 0 &&
           S_ISCHR(out.st_mode) && out.st_rdev == null.st_rdev;
}
} // namespace

ConsoleReporter::ConsoleReporter(bool terminal, bool quiet)
    : terminal_(terminal), quiet_(quiet || (!terminal && stdoutDiscards()))
{
}

ConsoleReporter::~ConsoleReporter()
{
    endOutput();
    std::fflush(stdout);
}

void ConsoleReporter::endOutput()
{
    clearStatus();
    if (lineOpen_) {
        std::fputc('\n', stdout); // end the step's last line before ours
        lineOpen_ = false;
    }
}

void ConsoleReporter::clearStatus()
{
    if (terminal_ && statusShown_) {
        std::fputs("\r\033[K", stdout);
        statusShown_ = false;
    }
}

void ConsoleReporter::drawStatus()
{
    if (!terminal_)
        return;
    lastDraw_ = std::chrono::steady_clock::now();
    std::string status = stepLabel_ + " " + elapsedText(lastDraw_ - stepStart_);
    if (!eta_.empty())
        status += " | ETA " + eta_.substr(0, eta_.find(" ("));
    if (!lastLine_.empty())
        status += " | " + lastLine_;
    const auto width = static_cast<std::size_t>(terminalWidth() - 1);
    if (status.size() > width)
        status.resize(width);
    std::fprintf(stdout, "\r\033[K\033[1m%s\033[0m", status.c_str());
    std::fflush(stdout);
    statusShown_ = true;
}

void ConsoleReporter::stepStarted(const PlanStep& step, int position, int total, int attempt)
{
    endOutput();
    stepLabel_ = "[" + std::to_string(position) + "/" + std::to_string(total) + "] " + step.name;
    stepStart_ = std::chrono::steady_clock::now();
    lastLine_.clear();
    std::printf("==> %s%s%s\n", stepLabel_.c_str(),
                attempt > 1 ? (" (attempt " + std::to_string(attempt) + ")").c_str() : "",
                eta_.empty() ? "" : ("; build ends " + eta_).c_str());
    drawStatus();
}

bool ConsoleReporter::forward(int logFile, std::int64_t offset, std::size_t length)
{
    if (terminal_)
        return false; // the status line needs the text
    if (quiet_)
        return true;
    std::fflush(stdout);
    off_t at = static_cast<off_t>(offset);
    std::size_t left = length;
    while (left > 0) {
        ssize_t sent = ::sendfile(STDOUT_FILENO, logFile, &at, left);
        if (sent <= 0)
            break; // the console is gone or full: the log still has everything
        left -= static_cast<std::size_t>(sent);
    }
    char last = '\n';
    if (length > 0 && ::pread(logFile, &last, 1, static_cast<off_t>(offset + length - 1)) == 1)
        lineOpen_ = last != '\n';
    return true;
}

void ConsoleReporter::output(std::string_view chunk)
{
    if (quiet_ || chunk.empty())
        return;
    if (!terminal_) {
        std::fwrite(chunk.data(), 1, chunk.size(), stdout);
        lineOpen_ = chunk.back() != '\n';
        return;
    }
    clearStatus();
    std::fwrite(chunk.data(), 1, chunk.size(), stdout);
    lineOpen_ = chunk.back() != '\n';
    // The status line shows the last complete line of output.
    std::string_view complete = chunk.substr(0, chunk.rfind('\n') + 1);
    if (!complete.empty()) {
        complete.remove_suffix(1);
        auto start = complete.rfind('\n');
        lastLine_.assign(
            complete.substr(start == std::string_view::npos ? 0 : start + 1).substr(0, 200));
    }
    if (lineOpen_)
        return; // drawing now would overwrite the unfinished line
    if (std::chrono::steady_clock::now() - lastDraw_ > std::chrono::milliseconds(100))
        drawStatus();
}

void ConsoleReporter::stepFinished(const PlanStep&, const StepRecord& result)
{
    endOutput();
    std::printf("==> %s: %s (%s)\n", stepLabel_.c_str(), result.state.c_str(),
                (result.state == "done" ? elapsedText(std::chrono::steady_clock::now() - stepStart_)
                                        : result.message)
                    .c_str());
    std::fflush(stdout);
}

void ConsoleReporter::note(const std::string& text)
{
    endOutput();
    std::printf("==> %s\n", text.c_str());
    std::fflush(stdout);
}

} // namespace lfsw::host
