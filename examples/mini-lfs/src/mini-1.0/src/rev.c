#include <stdio.h>
#include <string.h>
#include "mini.h"

int main(void)
{
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        mini_reverse(line);
        puts(line);
    }
    return 0;
}
