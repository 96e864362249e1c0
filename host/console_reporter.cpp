// SPDX-License-Identifier: MIT
#include "console_reporter.h"

#include <cstdio>

#include <sys/ioctl.h>
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

ConsoleReporter::ConsoleReporter(bool terminal, bool quiet) : terminal_(terminal), quiet_(quiet) {}

ConsoleReporter::~ConsoleReporter()
{
    clearStatus();
    std::fflush(stdout);
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
    clearStatus();
    stepLabel_ = "[" + std::to_string(position) + "/" + std::to_string(total) + "] " + step.name;
    stepStart_ = std::chrono::steady_clock::now();
    lastLine_.clear();
    std::printf("==> %s%s\n", stepLabel_.c_str(),
                attempt > 1 ? (" (attempt " + std::to_string(attempt) + ")").c_str() : "");
    drawStatus();
}

void ConsoleReporter::outputLine(std::string_view line)
{
    if (quiet_)
        return;
    if (terminal_) {
        clearStatus();
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
        lastLine_.assign(line.substr(0, 200));
        if (std::chrono::steady_clock::now() - lastDraw_ > std::chrono::milliseconds(100))
            drawStatus();
        return;
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

void ConsoleReporter::stepFinished(const PlanStep&, const StepRecord& result)
{
    clearStatus();
    std::printf("==> %s: %s (%s)\n", stepLabel_.c_str(), result.state.c_str(),
                (result.state == "done" ? elapsedText(std::chrono::steady_clock::now() - stepStart_)
                                        : result.message)
                    .c_str());
    std::fflush(stdout);
}

void ConsoleReporter::note(const std::string& text)
{
    clearStatus();
    std::printf("==> %s\n", text.c_str());
    std::fflush(stdout);
}

} // namespace lfsw::host
