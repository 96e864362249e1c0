// SPDX-License-Identifier: MIT
// What a plugin worker sends: read through the channel, then every field the
// host takes out of a message, whatever shape it has. Nothing may throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include <sys/socket.h>
#include <unistd.h>

#include "plugin/isolation/plugin_channel.h"
#include "plugin/isolation/plugin_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    int ends[2];
    if (size > (1 << 16) || ::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0)
        return 0;
    if (::send(ends[1], data, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size)) {
        ::close(ends[0]);
        ::close(ends[1]);
        return 0;
    }
    ::close(ends[1]);
    lfsw::PluginChannel channel{lfsw::UniqueFd(ends[0])};
    nlohmann::json message;
    // No deadline: the whole input is in the socket and its end is closed,
    // so the channel reads to the end and stops there.
    while (channel.receive(message, std::nullopt) == lfsw::PluginChannel::Receipt::Message) {
        namespace protocol = lfsw::protocol;
        (void)protocol::text(message, "op");
        (void)protocol::integer(protocol::member(message, "plugin"), "abi");
        (void)protocol::integer(message, "jobs", 1);
        (void)protocol::flag(message, "ok");
        (void)protocol::strings(message, "paths");
        for (const auto& action : protocol::array(message, "actions"))
            (void)protocol::flag(action, "repeatable");
        (void)protocol::alertFromJson(protocol::member(message, "alert"));
        (void)protocol::eventFromJson(protocol::member(message, "event"));
        (void)protocol::paramsFromJson(protocol::member(message, "params"));
        (void)protocol::resultFromJson(protocol::member(message, "result"));
        for (const auto& snapshot : protocol::array(message, "snapshots"))
            (void)protocol::snapshotFromJson(snapshot);
    }
    return 0;
}
