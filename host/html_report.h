// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "build/build_journal.h"
#include "store/manifest.h"

namespace lfsw::host {

class Session;

// `lfs-wrapper report`: one self-contained HTML file (inline style, inline
// SVG the program writes, no script, nothing fetched) per run or for every
// run: a timeline of the steps with their failures coloured by class,
// recovery attempts and checkpoints as marks; under it, on the same time
// axis, the resource curves with their thresholds; a table per step with its
// time, SBU, the new content its checkpoint stored, attempts and failure
// class; the recovery journal and the alerts sent.
class HtmlReport
{
public:
    explicit HtmlReport(Session& session);

    // The runs' report as one HTML document.
    std::string render(const std::vector<RunRecord>& runs);

private:
    std::string runSection(const RunRecord& run);
    std::string timeline(const RunRecord& run, const std::vector<StepRecord>& steps, double from,
                         double to);
    std::string resourceChart(const RunRecord& run, const std::vector<StepRecord>& steps,
                              double from, double to);
    std::string stepTable(const RunRecord& run, const std::vector<StepRecord>& steps);
    std::string journal(const RunRecord& run, double from, double to);

    Session& session_;
    std::vector<Manifest> checkpoints_; // headers, oldest first
    std::uint64_t memoryTotal_ = 0;     // for a step's memory cap as a share
};

} // namespace lfsw::host
