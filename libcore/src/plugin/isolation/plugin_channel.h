// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/unique_fd.h"

namespace lfsw {

// One end of the socket between the host and a plugin worker: JSON
// messages, one a line, each an object with an "op". Both sides use it; it
// owns the descriptor.
class PluginChannel
{
public:
    // The longest message line taken; past it the peer is taken as broken.
    static constexpr std::size_t kMaxLineBytes = 4 << 20;

    enum class Receipt { Message, Closed, TimedOut };

    explicit PluginChannel(UniqueFd fd);
    PluginChannel(const PluginChannel&) = delete;
    PluginChannel& operator=(const PluginChannel&) = delete;

    // False when the other end is gone (never raises SIGPIPE).
    bool send(const nlohmann::json& message);
    // Waits for the next message until `deadline` (none: for ever). A line
    // that is not JSON counts as the channel closing: the peer is broken.
    Receipt receive(nlohmann::json& message,
                    std::optional<std::chrono::steady_clock::time_point> deadline = {});

private:
    UniqueFd fd_;
    std::string buffer_;
};

} // namespace lfsw
