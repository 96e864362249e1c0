// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "command.h"

namespace lfsw::host {

// Parses `lfs-wrapper [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]`, prints help,
// suggests what was meant after a typo, and runs the command. Global options
// may stand before or after the command words.
class CommandLine
{
public:
    CommandLine();
    int run(int argc, char** argv);

private:
    int usageError(const std::string& message) const;
    void printOverview() const;
    void printFamily(const std::string& family) const;
    // --version: the version, the plugin ABI range and the library in use.
    void printVersion() const;
    void printCommandHelp(const Command& command) const;
    std::vector<std::string> commandNames() const;

    std::vector<Command> commands_;
};

} // namespace lfsw::host
