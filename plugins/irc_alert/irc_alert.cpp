// SPDX-License-Identifier: MIT
// The "irc" alert channel: connects to `alerts.irc.server`, registers (a nick
// in use takes the nick plus a digit), joins `alerts.irc.channel`, says the
// alert as PRIVMSG lines and quits. Text from the alert (evidence, log lines)
// never carries a line break or a control character onto the wire, and long
// lines are split so that the line the server relays stays within 512 bytes.
#include <algorithm>
#include <chrono>
#include <memory>

#include <lfsw/plugin.h>
#include <lfsw/secret.h>
#include <lfsw/units.h>

#include "irc_connection.h"
#include "irc_message.h"

namespace {

// What the server adds when it relays our PRIVMSG to the channel:
// ":" nick "!" user(10, with "~") "@" host(63) " PRIVMSG " channel " :" CRLF.
constexpr std::size_t kRelayOverhead = 1 + 1 + 11 + 1 + 63 + 9 + 2 + 2;
constexpr std::size_t kLineLimit = 512;

// A line of alert text as IRC may carry it: control characters (CR, LF,
// NUL, CTCP's \x01, colour codes) become spaces.
std::string plain(std::string text)
{
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return text;
}

// Splits `text` into pieces of at most `limit` bytes, at a space where one
// lies in the second half of a piece (servers drop a line's trailing
// blanks, so the space is left out), never inside a UTF-8 sequence.
std::vector<std::string> split(const std::string& text, std::size_t limit)
{
    std::vector<std::string> pieces;
    std::size_t at = 0;
    while (text.size() - at > limit) {
        std::size_t end = at + limit;
        while (end > at && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end; // text[end] continues a sequence: cut before it
        const auto space = text.rfind(' ', end);
        if (space != std::string::npos && space > at + limit / 2) {
            pieces.push_back(text.substr(at, space - at)); // the space becomes the line break
            at = space + 1;
            continue;
        }
        pieces.push_back(text.substr(at, end - at));
        at = end;
    }
    pieces.push_back(text.substr(at));
    return pieces;
}

std::vector<std::string> alertLines(const lfsw::Alert& alert, std::size_t logLines)
{
    std::vector<std::string> lines{"[lfs-wrapper] " + alert.subject};
    for (std::size_t start = 0; start < alert.body.size();) {
        auto end = std::min(alert.body.find('\n', start), alert.body.size());
        if (end > start)
            lines.push_back(alert.body.substr(start, end - start));
        start = end + 1;
    }
    if (!alert.event.step.empty())
        lines.push_back("Step: " + alert.event.step +
                        (alert.event.failureClass.empty()
                             ? ""
                             : ", failure class: " + alert.event.failureClass));
    const auto tail = std::min(logLines, alert.logTail.size());
    for (auto line = alert.logTail.end() - static_cast<std::ptrdiff_t>(tail);
         line != alert.logTail.end(); ++line)
        lines.push_back("| " + *line);
    if (!alert.resumeCommand.empty())
        lines.push_back("Once the cause is fixed: " + alert.resumeCommand);
    return lines;
}

// Why a JOIN was refused, by numeric.
std::string joinRefusal(const std::string& numeric)
{
    if (numeric == "471")
        return "the channel is full";
    if (numeric == "473")
        return "the channel is invite-only";
    if (numeric == "474")
        return "the nick is banned from the channel";
    if (numeric == "475")
        return "the channel needs a key";
    if (numeric == "403")
        return "no such channel";
    if (numeric == "405")
        return "joined too many channels";
    if (numeric == "477" || numeric == "520")
        return "the channel needs a registered nick";
    return {};
}

bool validChannel(const std::string& channel)
{
    return channel.size() >= 2 && channel.size() <= 50 &&
           std::string_view("#&+!").find(channel[0]) != std::string_view::npos &&
           channel.find_first_of(std::string(" ,\x07\r\n\0", 6)) == std::string::npos;
}

bool validNick(const std::string& nick)
{
    return !nick.empty() && nick.size() <= 30 &&
           !std::isdigit(static_cast<unsigned char>(nick[0])) && nick[0] != '-' &&
           std::all_of(nick.begin(), nick.end(), [](unsigned char c) {
               return std::isalnum(c) ||
                      std::string_view("-_[]\\`^{}|").find(static_cast<char>(c)) !=
                          std::string_view::npos;
           });
}

class IrcChannel final : public lfsw::AlertChannel
{
public:
    std::string name() const override { return "irc"; }
    std::string description() const override
    {
        return "Says alerts in an IRC channel (alerts.irc)";
    }

    lfsw::Result send(const lfsw::Alert& alert, lfsw::Context& context) override
    {
        const auto server = context.setting("alerts.irc.server").value_or("");
        const auto channel = context.setting("alerts.irc.channel").value_or("");
        std::string nick = context.setting("alerts.irc.nick").value_or("lfsw");
        if (server.empty())
            return lfsw::Result::failed("alerts.irc.server is not set");
        if (!validChannel(channel))
            return lfsw::Result::failed(
                channel.empty() ? "alerts.irc.channel is not set"
                                : "alerts.irc.channel '" + plain(channel) +
                                      "' is not a channel name (#name, no spaces or commas)");
        if (!validNick(nick))
            return lfsw::Result::failed("alerts.irc.nick '" + plain(nick) +
                                        "' is not a nick (letters, digits, -_[]\\`^{}|)");
        const bool tls =
            lfsw::parseBool(context.setting("alerts.irc.tls").value_or("true")).value_or(true);
        const auto port = context.setting("alerts.irc.port").value_or(tls ? "6697" : "6667");
        const auto timeout =
            lfsw::parseDuration(context.setting("alerts.irc.timeout").value_or("30s"))
                .value_or(std::chrono::seconds(30));
        const auto logLines = static_cast<std::size_t>(
            std::stoul(context.setting("alerts.irc.log_lines").value_or("5")));
        std::string password;
        if (auto file = context.setting("alerts.irc.password_file"); file && !file->empty()) {
            std::string problem;
            auto secret = lfsw::readSecretFile(*file, problem);
            if (!secret)
                return lfsw::Result::failed("alerts.irc.password_file: " + problem);
            password = plain(*secret);
        }

        try {
            IrcConnection irc(server, port, tls, context.setting("alerts.irc.ca_file").value_or(""),
                              IrcConnection::Clock::now() + timeout);
            const std::string base = nick;
            register_(irc, base, nick, password);
            join(irc, channel);
            const std::size_t limit = kLineLimit - kRelayOverhead - nick.size() - channel.size();
            int said = 0;
            for (const auto& line : alertLines(alert, logLines))
                for (const auto& piece : split(plain(line), limit)) {
                    irc.send("PRIVMSG " + channel + " :" + piece);
                    ++said;
                }
            irc.send("QUIT :alert delivered");
            finish(irc, channel);
            return lfsw::Result::done("said " + std::to_string(said) + " lines in " + channel +
                                      " on " + irc.peer() + " as " + nick);
        } catch (const IrcError& e) {
            return lfsw::Result::failed(e.what());
        }
    }

private:
    // PASS, NICK, USER, then waits for the welcome (001), answering PINGs
    // and taking nick1..nick9 while the nick is in use.
    static void register_(IrcConnection& irc, const std::string& base, std::string& nick,
                          const std::string& password)
    {
        if (!password.empty())
            irc.send("PASS " + password);
        irc.send("NICK " + nick);
        irc.send("USER " + base + " 0 * :lfs-wrapper alerts");
        int taken = 0;
        while (auto line = irc.receive()) {
            const auto message = IrcMessage::parse(*line);
            if (message.command == "PING") {
                irc.send("PONG :" + message.last());
            } else if (message.command == "001") {
                if (!message.params.empty())
                    nick = message.params.front(); // the server may have shortened it
                return;
            } else if (message.command == "433" || message.command == "436") {
                if (++taken > 9)
                    throw IrcError("the nicks " + base + " and " + base + "1 to " + base +
                                   "9 are all in use on " + irc.peer());
                nick = base + std::to_string(taken);
                irc.send("NICK " + nick);
            } else if (message.command == "432") {
                throw IrcError(irc.peer() + " refuses the nick " + nick + ": " +
                               plain(message.last()) + " (432)");
            } else if (message.command == "464" || message.command == "465") {
                throw IrcError(irc.peer() + " refused the connection: " + plain(message.last()) +
                               " (" + message.command + "; check alerts.irc.password_file)");
            } else if (message.command == "ERROR") {
                throw IrcError(irc.peer() + " closed the connection: " + plain(message.last()) +
                               (password.empty() ? ""
                                                 : " (a server password was sent: check "
                                                   "alerts.irc.password_file)"));
            }
        }
        throw IrcError(irc.peer() + " closed the connection before the nick was registered");
    }

    static void join(IrcConnection& irc, const std::string& channel)
    {
        irc.send("JOIN " + channel);
        while (auto line = irc.receive()) {
            const auto message = IrcMessage::parse(*line);
            if (message.command == "PING") {
                irc.send("PONG :" + message.last());
            } else if (message.command == "366" || message.command == "JOIN") {
                return; // end of the names list: we are in
            } else if (auto why = joinRefusal(message.command); !why.empty()) {
                throw IrcError("cannot join " + channel + " on " + irc.peer() + ": " + why + " (" +
                               message.command + ")");
            } else if (message.command == "ERROR") {
                throw IrcError(irc.peer() + " closed the connection: " + plain(message.last()));
            }
        }
        throw IrcError(irc.peer() + " closed the connection before " + channel + " was joined");
    }

    // After QUIT the server answers with ERROR and closes; a refusal of one
    // of the lines (404: cannot send to the channel) comes before that.
    static void finish(IrcConnection& irc, const std::string& channel)
    {
        while (auto line = irc.receive()) {
            const auto message = IrcMessage::parse(*line);
            if (message.command == "PING")
                irc.send("PONG :" + message.last());
            else if (message.command == "404" || message.command == "401" ||
                     message.command == "403")
                throw IrcError(irc.peer() + " did not pass the alert on to " + channel + ": " +
                               plain(message.last()) + " (" + message.command + ")");
            else if (message.command == "ERROR")
                return;
        }
    }
};

} // namespace

LFSW_PLUGIN("irc_alert", "1.0.0", "The IRC alert channel (PRIVMSG to a channel)")
{
    registry.addAlertChannel(std::make_shared<IrcChannel>());
}
