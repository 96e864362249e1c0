// SPDX-License-Identifier: MIT
#include "plugin/isolation/plugin_channel.h"

#include <cerrno>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lfsw {

PluginChannel::PluginChannel(UniqueFd fd) : fd_(std::move(fd)) {}

bool PluginChannel::send(const nlohmann::json& message)
{
    // Replace what is not UTF-8 rather than throw: plugin text is untrusted.
    const std::string line =
        message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

PluginChannel::Receipt
PluginChannel::receive(nlohmann::json& message,
                       std::optional<std::chrono::steady_clock::time_point> deadline)
{
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            const std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            message = nlohmann::json::parse(line, nullptr, false);
            if (message.is_discarded() || !message.is_object())
                return Receipt::Closed;
            return Receipt::Message;
        }
        int timeout = -1;
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return Receipt::TimedOut;
            timeout = static_cast<int>(std::min<long long>(left.count(), 60'000));
        }
        pollfd ready{fd_.get(), POLLIN, 0};
        const int polled = ::poll(&ready, 1, timeout);
        if (polled < 0 && errno != EINTR)
            return Receipt::Closed;
        if (polled <= 0)
            continue;
        char chunk[65536];
        const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return Receipt::Closed;
        buffer_.append(chunk, static_cast<std::size_t>(n));
        // A line without its end is read only so far: a peer that sends
        // more is broken, and the channel is closed on it.
        if (buffer_.size() > kMaxLineBytes && buffer_.find('\n') == std::string::npos) {
            buffer_.clear();
            return Receipt::Closed;
        }
    }
}

} // namespace lfsw
