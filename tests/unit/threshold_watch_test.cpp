// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "monitor/threshold_watch.h"

using Change = lfsw::ThresholdWatch::Change;

namespace {

// Feeds recorded samples and writes what happened at each: '.' nothing,
// 'R' raised, 'C' cleared.
std::string replay(lfsw::ThresholdWatch watch, const std::vector<double>& samples)
{
    std::string trace;
    for (double value : samples) {
        switch (watch.feed(value)) {
        case Change::None:
            trace += '.';
            break;
        case Change::Raised:
            trace += 'R';
            break;
        case Change::Cleared:
            trace += 'C';
            break;
        }
    }
    return trace;
}

} // namespace

TEST_CASE("a value at or over the threshold raises at once when for is 1")
{
    CHECK(replay({90, 1, 5}, {50, 89.9, 90, 95}) == "..R.");
}

TEST_CASE("for: N needs N samples in a row; a dip below starts the count again")
{
    CHECK(replay({90, 3, 5}, {91, 92, 80, 91, 92, 93, 94}) == ".....R.");
}

TEST_CASE("a raised value clears only below the threshold minus the margin")
{
    // Disk usage hovering around 90%: one raise, no flapping.
    CHECK(replay({90, 1, 5}, {91, 89, 91, 88, 86, 85.5, 84.9, 91}) == "R.....CR");
}

TEST_CASE("recorded samples of a filling disk, freed by free_resources")
{
    const std::vector<double> disk = {40, 55, 70, 86, 91, 93, 95, 60, 61, 62};
    CHECK(replay({90, 2, 5}, disk) == ".....R.C..");
}
