// SPDX-License-Identifier: MIT
#include "html_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include <lfsw/units.h>

#include "base/time_text.h"
#include "build/build_tree.h"
#include "build/eta_estimator.h"
#include "config/config.h"
#include "session.h"
#include "state/state_database.h"

namespace lfsw::host {

namespace {

constexpr double kWidth = 1000; // the SVG's user units; it scales to the page
constexpr double kLeft = 170;   // room for the step names
constexpr double kRight = 20;
constexpr double kRowHeight = 18;

std::string html(const std::string& text)
{
    std::string escaped;
    for (char c : text) {
        switch (c) {
        case '&':
            escaped += "&amp;";
            break;
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

std::string fixed(double value, int digits = 1)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

double epoch(const std::string& iso)
{
    const auto time = parseIsoUtc(iso);
    return time ? std::chrono::duration<double>(time->time_since_epoch()).count() : std::nan("");
}

double now()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The colour of a failure class: a fixed palette, the same class the same
// colour in every run.
const char* classColour(const std::string& failureClass)
{
    static const std::map<std::string, const char*> known{
        {"compile_error", "#d62728"}, {"link_error", "#9467bd"},      {"test_failure", "#8c564b"},
        {"fetch_error", "#e377c2"},   {"configure_error", "#bcbd22"}, {"memory", "#ff7f0e"},
        {"disk", "#7f7f7f"},          {"timeout", "#17becf"},         {"signal", "#1f1f1f"}};
    if (auto found = known.find(failureClass); found != known.end())
        return found->second;
    return "#c0392b";
}

const char* seriesColour(int index)
{
    static const char* colours[] = {"#1f77b4", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#17becf"};
    return colours[index % 6];
}

std::string clock(double seconds)
{
    const auto time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(seconds)));
    return isoUtc(time).substr(11, 8);
}

std::uint64_t memoryTotal()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    while (meminfo >> key >> kib) {
        if (key == "MemTotal:")
            return kib * 1024;
        meminfo.ignore(256, '\n');
    }
    return 0;
}

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.state-done { color: #2a7d2a; } .state-failed, .state-interrupted { color: #c0392b; font-weight: 600; }
.meta { color: #555; }
svg { width: 100%; height: auto; background: #fff; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.legend span { display: inline-block; margin-right: 1em; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin-right: .3em; }
section.run { page-break-before: always; } section.run:first-of-type { page-break-before: auto; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; } svg, table { break-inside: avoid; } }
)css";

} // namespace

HtmlReport::HtmlReport(Session& session) : session_(session), memoryTotal_(memoryTotal())
{
    try {
        checkpoints_ = BuildTree(session.config(), session.stateDirectory()).headers();
    } catch (const std::exception&) {
        // No store: the report has no checkpoint marks.
    }
}

std::string HtmlReport::render(const std::vector<RunRecord>& runs)
{
    std::string title = runs.size() == 1
                            ? "lfs-wrapper: build " + std::to_string(runs[0].id)
                            : "lfs-wrapper: " + std::to_string(runs.size()) + " builds";
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>" +
                      html(title) + "</title><style>" + kStyle + "</style></head><body>\n";
    out += "<h1>" + html(title) + "</h1>\n<p class=\"meta\">State directory " +
           html(session_.stateDirectory().string()) + ", report made " + html(isoUtcNow()) +
           "</p>\n";
    for (const auto& run : runs)
        out += runSection(run);
    out += "</body></html>\n";
    return out;
}

std::string HtmlReport::runSection(const RunRecord& run)
{
    const auto steps = session_.journal().steps(run.id);
    const double from = epoch(run.startedAt);
    double to = run.endedAt.empty() ? now() : epoch(run.endedAt);
    for (const auto& step : steps)
        if (!step.endedAt.empty())
            to = std::max(to, epoch(step.endedAt));
    if (!(to > from))
        to = from + 1;
    std::string out = "<section class=\"run\" id=\"run-" + std::to_string(run.id) + "\">\n";
    out += "<h2>Build " + std::to_string(run.id) + ": <span class=\"state-" + html(run.state) +
           "\">" + html(run.state) + "</span></h2>\n";
    out += "<p class=\"meta\">Plan " + html(run.planSource) + ", root " + html(run.buildRoot) +
           "; started " + html(run.startedAt) +
           (run.endedAt.empty() ? ", not ended" : ", ended " + html(run.endedAt)) + " (" +
           html(formatDuration(std::chrono::seconds(static_cast<std::int64_t>(to - from)))) + ")" +
           (run.message.empty() ? "" : ". " + html(run.message)) + "</p>\n";
    out += "<h3>Timeline</h3>\n" + timeline(run, steps, from, to);
    out += "<h3>Resources</h3>\n" + resourceChart(run, steps, from, to);
    out += "<h3>Steps</h3>\n" + stepTable(run, steps);
    out += journal(run, from, to);
    out += "</section>\n";
    return out;
}

std::string HtmlReport::timeline(const RunRecord& run, const std::vector<StepRecord>& steps,
                                 double from, double to)
{
    const double span = to - from;
    auto x = [&](double at) { return kLeft + (at - from) / span * (kWidth - kLeft - kRight); };
    const double height = 30 + kRowHeight * static_cast<double>(steps.size()) + 30;
    std::string svg = "<svg class=\"timeline\" viewBox=\"0 0 " + fixed(kWidth, 0) + " " +
                      fixed(height, 0) + "\" role=\"img\" aria-label=\"timeline of build " +
                      std::to_string(run.id) + "\">\n";
    // Time axis: five ticks.
    for (int i = 0; i <= 4; ++i) {
        const double at = from + span * i / 4;
        svg += "<line x1=\"" + fixed(x(at)) + "\" y1=\"20\" x2=\"" + fixed(x(at)) + "\" y2=\"" +
               fixed(height - 25) + "\" stroke=\"#ddd\"/><text x=\"" + fixed(x(at)) +
               "\" y=\"14\" text-anchor=\"middle\">" + clock(at) + "</text>\n";
    }
    std::map<std::string, bool> classes;
    double y = 26;
    for (const auto& step : steps) {
        svg += "<text x=\"" + fixed(kLeft - 6) + "\" y=\"" + fixed(y + 12) +
               "\" text-anchor=\"end\">" + html(step.name) + "</text>\n";
        // Each attempt a bar (step_attempt); a run of an earlier version
        // has only the last attempt's times.
        struct Span {
            int attempt;
            std::string started, ended, state, failureClass;
        };
        std::vector<Span> spans;
        {
            auto rows = session_.database().prepare(
                "SELECT attempt, started_at, COALESCE(ended_at, ''), state, failure_class FROM"
                " step_attempt WHERE run_id = ? AND name = ? ORDER BY attempt");
            rows.bind(1, run.id).bind(2, step.name);
            while (rows.step())
                spans.push_back({static_cast<int>(rows.integer(0)), rows.text(1), rows.text(2),
                                 rows.text(3), rows.text(4)});
        }
        if (spans.empty() && !step.startedAt.empty())
            spans.push_back(
                {step.attempts, step.startedAt, step.endedAt, step.state, step.failureClass});
        for (const auto& span : spans) {
            const double start = epoch(span.started);
            const double end = span.ended.empty() ? to : epoch(span.ended);
            const bool failed = span.state == "failed" || span.state == "interrupted";
            const std::string colour = failed                    ? classColour(span.failureClass)
                                       : span.state == "done"    ? "#4c9f50"
                                       : span.state == "running" ? "#1f77b4"
                                                                 : "#aaaaaa";
            if (failed)
                classes[span.failureClass.empty() ? "unknown" : span.failureClass] = true;
            svg += "<rect class=\"attempt attempt-" + html(span.state) + "\" x=\"" +
                   fixed(x(start)) + "\" y=\"" + fixed(y + 2) + "\" width=\"" +
                   fixed(std::max(1.5, x(end) - x(start))) + "\" height=\"" +
                   fixed(kRowHeight - 5) + "\" fill=\"" + colour + "\"><title>" +
                   html(step.name + ": attempt " + std::to_string(span.attempt) + ", " +
                        span.state + (span.failureClass.empty() ? "" : ", " + span.failureClass)) +
                   "</title></rect>\n";
        }
        if (step.attempts > 1 && !spans.empty())
            svg += "<text x=\"" +
                   fixed(x(spans.back().ended.empty() ? to : epoch(spans.back().ended)) + 3) +
                   "\" y=\"" + fixed(y + 12) + "\">×" + std::to_string(step.attempts) + "</text>\n";
        y += kRowHeight;
    }
    // Recovery attempts of this run as marks on their step's row.
    {
        auto attempts = session_.database().prepare(
            "SELECT a.step, a.chain_key, a.attempt, a.started_at, a.outcome, i.failure_class"
            " FROM recovery_attempt a"
            " JOIN incident i ON i.id = a.incident_id WHERE i.run_id = ? ORDER BY a.id");
        attempts.bind(1, run.id);
        while (attempts.step()) {
            const auto row = std::find_if(steps.begin(), steps.end(), [&](const StepRecord& s) {
                return s.name == attempts.text(0);
            });
            if (row == steps.end())
                continue;
            const double at = epoch(attempts.text(3));
            // The mark stands where a failure of its class ended an attempt.
            const std::string failureClass =
                attempts.text(5).empty() ? "unknown" : attempts.text(5);
            classes[failureClass] = true;
            const double rowY = 26 + kRowHeight * static_cast<double>(row - steps.begin());
            svg += "<path class=\"recovery\" d=\"M" + fixed(x(at)) + " " + fixed(rowY) + " l5 " +
                   fixed(kRowHeight / 2) + " l-5 " + fixed(kRowHeight / 2) + " l-5 -" +
                   fixed(kRowHeight / 2) + "z\" fill=\"" + classColour(failureClass) +
                   "\" stroke=\"#333\"><title>" +
                   html(failureClass + ", then recovery: chain " + attempts.text(1) + ", attempt " +
                        std::to_string(attempts.integer(2)) + ", " + attempts.text(4)) +
                   "</title></path>\n";
        }
    }
    // Checkpoints taken during the run as ticks under the rows.
    for (const auto& checkpoint : checkpoints_) {
        const double at = epoch(checkpoint.created);
        if (!(at >= from && at <= to))
            continue;
        svg += "<line class=\"checkpoint\" x1=\"" + fixed(x(at)) + "\" y1=\"" + fixed(y + 2) +
               "\" x2=\"" + fixed(x(at)) + "\" y2=\"" + fixed(y + 14) +
               "\" stroke=\"#2c3e50\" stroke-width=\"2\"><title>" +
               html("checkpoint " + checkpoint.name + " (" + checkpoint.id + ")") +
               "</title></line>\n";
    }
    svg += "<text x=\"" + fixed(kLeft - 6) + "\" y=\"" + fixed(y + 12) +
           "\" text-anchor=\"end\">checkpoints</text>\n</svg>\n";
    std::string legend = "<p class=\"legend\"><span><i class=\"swatch\" style=\"background:"
                         "#4c9f50\"></i>done</span><span><i class=\"swatch\" style=\"background:"
                         "#fff;border:1px solid #333\"></i>&#9670; a failure and its recovery "
                         "attempt</span><span><i class=\"swatch\" "
                         "style=\"background:#2c3e50\"></i>checkpoint</span>";
    for (const auto& [name, unused] : classes)
        legend += "<span><i class=\"swatch\" style=\"background:" + std::string(classColour(name)) +
                  "\"></i>failed: " + html(name) + "</span>";
    return svg + legend + "</p>\n";
}

std::string HtmlReport::resourceChart(const RunRecord& run, const std::vector<StepRecord>& steps,
                                      double from, double to)
{
    struct Series {
        std::string name;
        std::vector<std::pair<double, double>> points;
        double threshold = -1;
    };
    std::map<std::string, Series> series;
    {
        auto rows = session_.database().prepare(
            "SELECT taken_at, resource, subject, value, threshold FROM resource_sample WHERE"
            " taken_at >= ? AND (? = '' OR taken_at <= ?) ORDER BY taken_at");
        rows.bind(1, run.startedAt).bind(2, run.endedAt).bind(3, run.endedAt + "~");
        while (rows.step()) {
            const std::string name =
                rows.text(1) == "pressure"
                    ? "pressure " + rows.text(2)
                    : rows.text(1) + (rows.text(2).empty() ? "" : " " + rows.text(2));
            if (rows.text(1) == "pressure" && rows.text(2).find("some.avg10") == std::string::npos)
                continue; // one pressure curve per resource is plenty
            auto& one = series[name];
            one.name = name;
            one.points.emplace_back(epoch(rows.text(0)), rows.real(3));
            if (!rows.isNull(4))
                one.threshold = rows.real(4);
        }
    }
    if (series.empty())
        return "<p class=\"meta\">No resource samples were taken during this run.</p>\n";
    const double span = to - from;
    const double top = 10, height = 160;
    auto x = [&](double at) { return kLeft + (at - from) / span * (kWidth - kLeft - kRight); };
    auto y = [&](double percent) {
        return top + height - std::clamp(percent, 0.0, 100.0) / 100 * height;
    };
    std::string svg = "<svg class=\"resources\" viewBox=\"0 0 " + fixed(kWidth, 0) + " " +
                      fixed(top + height + 25, 0) +
                      "\" role=\"img\" aria-label=\"resources of "
                      "build " +
                      std::to_string(run.id) + "\">\n";
    for (int percent = 0; percent <= 100; percent += 25)
        svg += "<line x1=\"" + fixed(kLeft) + "\" y1=\"" + fixed(y(percent)) + "\" x2=\"" +
               fixed(kWidth - kRight) + "\" y2=\"" + fixed(y(percent)) +
               "\" stroke=\"#eee\"/><text x=\"" + fixed(kLeft - 6) + "\" y=\"" +
               fixed(y(percent) + 4) + "\" text-anchor=\"end\">" + std::to_string(percent) +
               "%</text>\n";
    std::string legend = "<p class=\"legend\">";
    int index = 0;
    for (const auto& [name, one] : series) {
        const char* colour = seriesColour(index++);
        std::string points;
        for (const auto& [at, value] : one.points)
            points += fixed(x(at)) + "," + fixed(y(value)) + " ";
        svg += "<polyline class=\"series\" fill=\"none\" stroke=\"" + std::string(colour) +
               "\" stroke-width=\"1.5\" points=\"" + points + "\"><title>" + html(name) +
               "</title></polyline>\n";
        if (one.threshold >= 0)
            svg += "<line class=\"threshold\" x1=\"" + fixed(kLeft) + "\" y1=\"" +
                   fixed(y(one.threshold)) + "\" x2=\"" + fixed(kWidth - kRight) + "\" y2=\"" +
                   fixed(y(one.threshold)) + "\" stroke=\"" + colour +
                   "\" stroke-dasharray=\"5 4\"><title>" +
                   html(name + " threshold " + fixed(one.threshold, 0) + "%") + "</title></line>\n";
        double peak = 0;
        for (const auto& point : one.points)
            peak = std::max(peak, point.second);
        legend += "<span><i class=\"swatch\" style=\"background:" + std::string(colour) +
                  "\"></i>" + html(name) + " (peak " + fixed(peak) + "%" +
                  (one.threshold >= 0 ? ", threshold " + fixed(one.threshold, 0) + "%" : "") +
                  ")</span>";
    }
    // The memory cap of a step that had one, as a share of the machine's memory.
    for (const auto& step : steps)
        if (step.memoryLimit > 0 && memoryTotal_ > 0 && !step.startedAt.empty()) {
            const double cap =
                100.0 * static_cast<double>(step.memoryLimit) / static_cast<double>(memoryTotal_);
            svg += "<line class=\"memory-cap\" x1=\"" + fixed(x(epoch(step.startedAt))) +
                   "\" y1=\"" + fixed(y(cap)) + "\" x2=\"" +
                   fixed(x(step.endedAt.empty() ? to : epoch(step.endedAt))) + "\" y2=\"" +
                   fixed(y(cap)) + "\" stroke=\"#c0392b\" stroke-width=\"2\"><title>" +
                   html("memory cap of " + step.name + ": " + formatBytes(step.memoryLimit)) +
                   "</title></line>\n";
        }
    for (int i = 0; i <= 4; ++i) {
        const double at = from + span * i / 4;
        svg += "<text x=\"" + fixed(x(at)) + "\" y=\"" + fixed(top + height + 18) +
               "\" text-anchor=\"" +
               (i == 0   ? "start"
                : i == 4 ? "end"
                         : "middle") +
               "\">" + clock(at) + "</text>\n";
    }
    return svg + "</svg>\n" + legend + "</p>\n";
}

std::string HtmlReport::stepTable(const RunRecord& run, const std::vector<StepRecord>& steps)
{
    // The SBU: binutils pass 1's time, or build.sbu_step's.
    std::vector<std::string> names;
    for (const auto& step : steps)
        names.push_back(step.name);
    const std::string sbuStep = EtaEstimator::sbuStep(session_.config(), names);
    double sbu = 0;
    for (const auto& step : steps)
        if (step.name == sbuStep && step.state == "done")
            sbu = epoch(step.endedAt) - epoch(step.startedAt);
    std::string out = "<table class=\"steps\"><thead><tr><th>#</th><th>step</th><th>state</th>"
                      "<th>time</th><th>SBU</th><th>new content</th><th>attempts</th>"
                      "<th>failure class</th></tr></thead><tbody>\n";
    for (const auto& step : steps) {
        const double took =
            step.startedAt.empty()
                ? std::nan("")
                : (step.endedAt.empty() ? now() : epoch(step.endedAt)) - epoch(step.startedAt);
        // The step's checkpoint: the first of its name taken after it ended.
        std::string added = "-";
        for (const auto& checkpoint : checkpoints_)
            if (checkpoint.name == step.name && !step.endedAt.empty() &&
                epoch(checkpoint.created) >= epoch(step.endedAt) - 1 &&
                epoch(checkpoint.created) <=
                    epoch(run.endedAt.empty() ? isoUtcNow() : run.endedAt) + 1) {
                added = formatBytes(checkpoint.newBytes);
                break;
            }
        out += "<tr><td class=\"num\">" + std::to_string(step.position) + "</td><td>" +
               html(step.name) + "</td><td class=\"state-" + html(step.state) + "\">" +
               html(step.state) + "</td><td class=\"num\">" +
               (std::isnan(took) ? std::string("-")
                                 : html(formatDuration(std::chrono::seconds(
                                       static_cast<std::int64_t>(std::llround(took)))))) +
               "</td><td class=\"num\">" +
               (sbu > 0 && !std::isnan(took) ? fixed(took / sbu, 2) : std::string("-")) +
               "</td><td class=\"num\">" + html(added) + "</td><td class=\"num\">" +
               std::to_string(step.attempts) + "</td><td>" +
               html(step.condition.empty() ? "" : step.condition + ":" + step.failureClass) +
               "</td></tr>\n";
    }
    out += "</tbody></table>\n";
    if (sbu > 0)
        out += "<p class=\"meta\">1 SBU = " +
               html(formatDuration(std::chrono::seconds(static_cast<std::int64_t>(sbu)))) + " (" +
               html(sbuStep) +
               "); new content is what the step's checkpoint added to the "
               "store.</p>\n";
    return out;
}

std::string HtmlReport::journal(const RunRecord& run, double from, double to)
{
    std::string out = "<h3>Recovery journal</h3>\n";
    auto incidents =
        session_.database().prepare("SELECT id FROM incident WHERE run_id = ? ORDER BY id");
    incidents.bind(1, run.id);
    std::vector<std::int64_t> ids;
    while (incidents.step())
        ids.push_back(incidents.integer(0));
    if (ids.empty())
        out += "<p class=\"meta\">No recovery ran during this build.</p>\n";
    for (const auto id : ids) {
        const auto incident = session_.engine().incidents().find(id);
        if (!incident)
            continue;
        out += "<table class=\"journal\"><thead><tr><th colspan=\"5\">Incident " +
               std::to_string(id) + ": " + html(incident->condition) +
               (incident->failureClass.empty() ? "" : " (" + html(incident->failureClass) + ")") +
               " in step " + html(incident->step) + " — " + html(incident->outcome) +
               "</th></tr><tr><th>attempt</th><th>action</th><th>result</th><th>message</th>"
               "<th>started</th></tr></thead><tbody>\n";
        for (const auto& attempt : incident->attempts)
            for (const auto& action : attempt.actions)
                out += "<tr><td>" + std::to_string(attempt.attempt) + " (" + html(attempt.chain) +
                       ")</td><td>" + html(action.action) + "</td><td>" + html(action.result) +
                       "</td><td>" + html(action.message) + "</td><td>" + html(action.startedAt) +
                       "</td></tr>\n";
        out += "</tbody></table>\n";
    }
    out += "<h3>Alerts sent</h3>\n";
    auto alerts = session_.database().prepare(
        "SELECT sent_at, channel, subject, result, message FROM alert_sent WHERE sent_at >= ? AND"
        " sent_at <= ? ORDER BY id");
    alerts
        .bind(1, isoUtc(std::chrono::system_clock::time_point(
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         std::chrono::duration<double>(from)))))
        .bind(2, isoUtc(std::chrono::system_clock::time_point(
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(
                         std::chrono::duration<double>(to + 60)))));
    std::string rows;
    while (alerts.step())
        rows += "<tr><td>" + html(alerts.text(0)) + "</td><td>" + html(alerts.text(1)) +
                "</td><td>" + html(alerts.text(2)) + "</td><td>" + html(alerts.text(3)) +
                "</td><td>" + html(alerts.text(4)) + "</td></tr>\n";
    if (rows.empty())
        return out + "<p class=\"meta\">No alert was sent.</p>\n";
    return out +
           "<table class=\"alerts\"><thead><tr><th>sent</th><th>channel</th><th>subject"
           "</th><th>result</th><th>message</th></tr></thead><tbody>\n" +
           rows + "</tbody></table>\n";
}

} // namespace lfsw::host
