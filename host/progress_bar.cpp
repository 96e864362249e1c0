// SPDX-License-Identifier: MIT
#include "progress_bar.h"

#include <cstdio>

#include <unistd.h>

#include <lfsw/units.h>

namespace lfsw::host {

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now())
{
}

ProgressBar::~ProgressBar()
{
    if (drawn_)
        std::fputs("\r\033[K", stderr);
}

ProgressCallback ProgressBar::callback()
{
    return [this](const StoreProgress& progress) { update(progress); };
}

void ProgressBar::update(const StoreProgress& progress)
{
    if (!terminal_)
        return;
    // Ten redraws a second at most, and the last one.
    const auto now = std::chrono::steady_clock::now();
    const bool complete = progress.totalBytes ? progress.bytes >= progress.totalBytes
                                              : progress.files >= progress.totalFiles;
    if (drawn_ && !complete && now - lastDrawn_ < std::chrono::milliseconds(100))
        return;
    lastDrawn_ = now;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fraction =
        progress.totalBytes
            ? static_cast<double>(progress.bytes) / static_cast<double>(progress.totalBytes)
        : progress.totalFiles
            ? static_cast<double>(progress.files) / static_cast<double>(progress.totalFiles)
            : 0.0;
    const int width = 24;
    const int filled = static_cast<int>(fraction * width);
    std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                      std::string(static_cast<std::size_t>(width - filled), '.');
    const double rate = seconds > 0 ? static_cast<double>(progress.bytes) / seconds : 0;
    std::string eta = "-";
    if (rate > 0 && progress.totalBytes > progress.bytes)
        eta = std::to_string(static_cast<long>(
                  static_cast<double>(progress.totalBytes - progress.bytes) / rate)) +
              "s";
    std::fprintf(stderr, "\r\033[K%s [%s] %llu/%llu files, %s/%s, %s/s, ETA %s", label_.c_str(),
                 bar.c_str(), static_cast<unsigned long long>(progress.files),
                 static_cast<unsigned long long>(progress.totalFiles),
                 formatBytes(static_cast<double>(progress.bytes)).c_str(),
                 formatBytes(static_cast<double>(progress.totalBytes)).c_str(),
                 formatBytes(rate).c_str(), eta.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

} // namespace lfsw::host
