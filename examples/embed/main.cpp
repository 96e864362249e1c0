// SPDX-License-Identifier: MIT
// embed-driver CONFIG NAME=COMMAND...: runs the steps in the config's build
// root with lfs-wrapper's checkpoints and recovery chains, without the host.
#include <exception>
#include <iostream>

#include "build_driver.h"

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::cerr << "usage: embed-driver CONFIG NAME=COMMAND...\n";
        return 2;
    }
    std::vector<DriverStep> steps;
    for (int i = 2; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto equals = argument.find('=');
        if (equals == std::string::npos || equals == 0) {
            std::cerr << "embed-driver: step '" << argument << "' is not NAME=COMMAND\n";
            return 2;
        }
        steps.push_back({argument.substr(0, equals), argument.substr(equals + 1)});
    }
    try {
        lfsw::Workspace workspace(argv[1]);
        BuildDriver driver(workspace);
        return driver.run(steps);
    } catch (const std::exception& error) {
        std::cerr << "embed-driver: " << error.what();
        return 1;
    }
}
