// SPDX-License-Identifier: MIT
// The host/worker channel and the values that travel on it: what arrives is
// what was sent, and a broken or silent peer is told apart from a message.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "plugin/isolation/plugin_channel.h"
#include "plugin/isolation/plugin_protocol.h"

using namespace lfsw;
using namespace std::chrono_literals;

namespace {

struct Pair {
    Pair()
    {
        int ends[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
        host = std::make_unique<PluginChannel>(lfsw::UniqueFd(ends[0]));
        rawWorker = ends[1];
    }
    ~Pair()
    {
        if (rawWorker >= 0)
            ::close(rawWorker);
    }
    void writeRaw(const std::string& text) const
    {
        REQUIRE(::write(rawWorker, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    std::unique_ptr<PluginChannel> host;
    int rawWorker;
};

} // namespace

TEST_CASE("messages arrive whole and in order, however the bytes were split")
{
    Pair pair;
    pair.writeRaw("{\"op\":\"log\",\"mess");
    pair.writeRaw("age\":\"one\"}\n{\"op\":\"reply\"}\n");
    nlohmann::json message;
    REQUIRE(pair.host->receive(message, std::chrono::steady_clock::now() + 1s) ==
            PluginChannel::Receipt::Message);
    CHECK(message["message"] == "one");
    REQUIRE(pair.host->receive(message, std::chrono::steady_clock::now() + 1s) ==
            PluginChannel::Receipt::Message);
    CHECK(message["op"] == "reply");
}

TEST_CASE("a silent peer times out; a closed or garbled one reads as closed")
{
    Pair pair;
    nlohmann::json message;
    CHECK(pair.host->receive(message, std::chrono::steady_clock::now() + 50ms) ==
          PluginChannel::Receipt::TimedOut);
    pair.writeRaw("not json\n");
    CHECK(pair.host->receive(message, std::chrono::steady_clock::now() + 1s) ==
          PluginChannel::Receipt::Closed);
    ::close(pair.rawWorker);
    pair.rawWorker = -1;
    CHECK(pair.host->receive(message, std::chrono::steady_clock::now() + 1s) ==
          PluginChannel::Receipt::Closed);
    CHECK_FALSE(pair.host->send({{"op", "run"}})); // no SIGPIPE: the test is still here
}

TEST_CASE("events, parameters and results survive the trip")
{
    Event event;
    event.condition = "build_failure";
    event.failureClass = "compile_error";
    event.step = "gcc-pass1";
    event.evidence = {{"exit_status", "2"}, {"log", "x.c:1: error: \xff invalid"}};
    const auto back = protocol::eventFromJson(nlohmann::json::parse(
        protocol::toJson(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    CHECK(back.condition == "build_failure");
    CHECK(back.failureClass == "compile_error");
    CHECK(back.step == "gcc-pass1");
    CHECK(back.evidence.at("exit_status") == "2");
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(back.raisedAt - event.raisedAt)
              .count() == 0);

    CHECK(protocol::paramsFromJson(
              protocol::toJson(Params(std::map<std::string, std::string>{{"name", "emergency"}})))
              .get("name") == "emergency");
    for (const auto& result :
         {Result::done("ok"), Result::failed("no"), Result::notApplicable("nothing to do")}) {
        const auto copy = protocol::resultFromJson(protocol::toJson(result));
        CHECK(copy.status() == result.status());
        CHECK(copy.message() == result.message());
    }
    Alert alert;
    alert.event = event;
    alert.severity = LogLevel::Warning;
    alert.subject = "gcc-pass1 failed";
    alert.attempt = 2;
    alert.givenUp = true;
    alert.contacts = {"admin@example.org", "oncall@example.org"};
    alert.logTail = {"make: *** [all] Error 2"};
    alert.resumeCommand = "lfs-wrapper build resume";
    const auto sent = protocol::alertFromJson(protocol::toJson(alert));
    CHECK(sent.event.step == "gcc-pass1");
    CHECK(sent.severity == LogLevel::Warning);
    CHECK(sent.subject == alert.subject);
    CHECK(sent.attempt == 2);
    CHECK(sent.givenUp);
    CHECK(sent.contacts == alert.contacts);
    CHECK(sent.logTail == alert.logTail);
    CHECK(sent.resumeCommand == alert.resumeCommand);

    // What a broken worker sends is a failure, never a success.
    CHECK(protocol::resultFromJson(nlohmann::json::parse("{\"status\":7}")).status() ==
          Result::Status::Failed);
    CHECK(protocol::eventFromJson(nlohmann::json::parse("[1,2]")).condition.empty());
}

TEST_CASE("a line that never ends is read only up to the bound")
{
    Pair pair;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        const std::string chunk(1 << 20, 'x');
        // More than the bound, no newline, and the socket left open: a host
        // that reads without bound would wait for the rest until its deadline.
        for (std::size_t sent = 0; sent <= PluginChannel::kMaxLineBytes + chunk.size();
             sent += chunk.size())
            if (::send(pair.rawWorker, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0)
                break;
        while (!done)
            std::this_thread::sleep_for(10ms);
    });
    nlohmann::json message;
    CHECK(pair.host->receive(message, std::chrono::steady_clock::now() + 3s) ==
          PluginChannel::Receipt::Closed);
    done = true;
    pair.host.reset();
    writer.join();
}

TEST_CASE("members of the wrong type read as the fallback, never as an exception")
{
    const auto bad = nlohmann::json::parse(
        R"({"abi": "x", "jobs": "many", "force": 1, "paths": "a", "actions": {"name": 1},
            "failure_classes": [1, "compile"], "event": 7, "given_up": "yes"})");
    CHECK(protocol::integer(bad, "abi", 0) == 0);
    CHECK(protocol::integer(bad, "jobs", 1) == 1);
    CHECK(protocol::flag(bad, "force") == false);
    CHECK(protocol::strings(bad, "paths").empty());
    CHECK(protocol::array(bad, "actions").empty());
    CHECK(protocol::strings(bad, "failure_classes") == std::vector<std::string>{"compile"});
    CHECK(protocol::integer(nlohmann::json::array(), "abi", 3) == 3);
    CHECK_NOTHROW(protocol::alertFromJson(bad));
    CHECK_NOTHROW(protocol::alertFromJson(nlohmann::json(42)));
    CHECK_NOTHROW(protocol::eventFromJson(nlohmann::json("text")));
    CHECK_NOTHROW(protocol::resultFromJson(nlohmann::json::array()));
}
