// SPDX-License-Identifier: MIT
#include "command_line.h"

int main(int argc, char** argv)
{
    return lfsw::host::CommandLine().run(argc, argv);
}
