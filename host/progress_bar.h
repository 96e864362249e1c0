// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

#include "store/checkpoint_store.h"

namespace lfsw::host {

// A progress bar on stderr for long store work (files, bytes, rate, ETA),
// drawn only when stderr is a terminal; elsewhere it prints nothing.
class ProgressBar
{
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();

    // For CheckpointStore's progress callbacks.
    ProgressCallback callback();
    void update(const StoreProgress& progress);

private:
    std::string label_;
    bool terminal_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point lastDrawn_;
};

} // namespace lfsw::host
