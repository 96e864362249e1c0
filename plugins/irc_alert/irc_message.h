// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

// One IRC line as the server sent it: ":prefix COMMAND param... :trailing".
struct IrcMessage {
    std::string prefix;
    std::string command; // upper case, or the three-digit numeric
    std::vector<std::string> params;

    static IrcMessage parse(const std::string& line);
    // The nick of the prefix ("lfsw" of "lfsw!~lfsw@host").
    std::string nick() const;
    std::string last() const { return params.empty() ? std::string() : params.back(); }
};
