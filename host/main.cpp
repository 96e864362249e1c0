// SPDX-License-Identifier: MIT
#include <sys/prctl.h>

#include "command_line.h"

int main(int argc, char** argv)
{
    // lfs-wrapper reads alert passwords and tokens: no core dump of it, and
    // no ptrace or /proc/PID/environ, mem or fd of it by another process of
    // the same user. Steps are not affected: execve makes them dumpable again.
    ::prctl(PR_SET_DUMPABLE, 0);
    return lfsw::host::CommandLine().run(argc, argv);
}
