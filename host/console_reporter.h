// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

#include "build/supervisor.h"

namespace lfsw::host {

// Shows a supervised build on the console. On a terminal: the step's output,
// under a live status line (step i/n, name, elapsed time, last output line)
// redrawn at most ten times a second. Otherwise: the output and one plain
// line per event, nothing redrawn.
class ConsoleReporter final : public SupervisorObserver
{
public:
    ConsoleReporter(bool terminal, bool quiet);
    ~ConsoleReporter() override;

    void stepStarted(const PlanStep& step, int position, int total, int attempt) override;
    void output(std::string_view chunk) override;
    bool forward(int logFile, std::int64_t offset, std::size_t length) override;
    void stepFinished(const PlanStep& step, const StepRecord& result) override;
    void expectedEnd(const std::string& text) override { eta_ = text; }
    void note(const std::string& text) override;

private:
    void clearStatus();
    // Clears the status line and ends an unfinished output line.
    void endOutput();
    void drawStatus();

    bool terminal_;
    bool quiet_;
    bool statusShown_ = false;
    std::string stepLabel_;
    std::string lastLine_;
    bool lineOpen_ = false; // the output so far does not end with a newline
    std::chrono::steady_clock::time_point stepStart_;
    std::chrono::steady_clock::time_point lastDraw_;
    std::string eta_; // the run's expected end, before the step started
};

} // namespace lfsw::host
