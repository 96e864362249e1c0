#include <stdio.h>
#include <stdlib.h>
#include "mini.h"

int main(int argc, char **argv)
{
    long values[256];
    size_t count = 0;
    for (int i = 1; i < argc && count < 256; ++i)
        values[count++] = strtol(argv[i], NULL, 10);
    printf("%ld\n", mini_sum(values, count));
    return 0;
}
