// SPDX-License-Identifier: MIT
#include "irc_message.h"

#include <algorithm>
#include <cctype>

IrcMessage IrcMessage::parse(const std::string& line)
{
    IrcMessage message;
    std::size_t at = 0;
    auto word = [&] {
        const auto end = std::min(line.find(' ', at), line.size());
        std::string text = line.substr(at, end - at);
        at = line.find_first_not_of(' ', end);
        if (at == std::string::npos)
            at = line.size();
        return text;
    };
    if (line.starts_with(':')) {
        ++at;
        message.prefix = word();
    }
    message.command = word();
    std::transform(message.command.begin(), message.command.end(), message.command.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    while (at < line.size()) {
        if (line[at] == ':') {
            message.params.push_back(line.substr(at + 1));
            break;
        }
        message.params.push_back(word());
    }
    return message;
}

std::string IrcMessage::nick() const
{
    return prefix.substr(0, prefix.find('!'));
}
