// SPDX-License-Identifier: MIT
// The host/worker channel and the values that travel on it: what arrives is
// what was sent, and a broken or silent peer is told apart from a message.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "plugin_channel.h"
#include "plugin_protocol.h"

using namespace lfsw;
using namespace std::chrono_literals;

namespace {

struct Pair {
    Pair()
    {
        int ends[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
        host = std::make_unique<PluginChannel>(ends[0]);
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
