// SPDX-License-Identifier: MIT
#include "monitor/threshold_watch.h"

namespace lfsw {

ThresholdWatch::ThresholdWatch(double threshold, int samplesInARow, double clearMargin)
    : threshold_(threshold), samplesInARow_(samplesInARow < 1 ? 1 : samplesInARow),
      clearMargin_(clearMargin)
{
}

ThresholdWatch::Change ThresholdWatch::feed(double value)
{
    if (raised_) {
        if (value < threshold_ - clearMargin_) {
            raised_ = false;
            above_ = 0;
            return Change::Cleared;
        }
        return Change::None;
    }
    above_ = value >= threshold_ ? above_ + 1 : 0;
    if (above_ >= samplesInARow_) {
        raised_ = true;
        return Change::Raised;
    }
    return Change::None;
}

} // namespace lfsw
