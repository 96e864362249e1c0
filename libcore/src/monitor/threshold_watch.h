// SPDX-License-Identifier: MIT
#pragma once

namespace lfsw {

// Decides when one watched value is over its threshold, without flapping: it
// is raised after `samplesInARow` samples at or above the threshold, and
// clears only when a sample falls below `threshold - clearMargin`.
class ThresholdWatch
{
public:
    enum class Change { None, Raised, Cleared };

    ThresholdWatch(double threshold, int samplesInARow, double clearMargin);

    Change feed(double value);
    bool raised() const { return raised_; }
    double threshold() const { return threshold_; }

private:
    double threshold_;
    int samplesInARow_;
    double clearMargin_;
    int above_ = 0;
    bool raised_ = false;
};

} // namespace lfsw
