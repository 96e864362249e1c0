#include <stdio.h>
#include "mini.h"

int main(int argc, char **argv)
{
    const char *who = argc > 1 ? argv[1] : "LFS";
    printf("Hello, %s! (libmini %s)\n", who, mini_version());
    return 0;
}
