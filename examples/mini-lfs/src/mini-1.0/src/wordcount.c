#include <stdio.h>
#include "mini.h"

int main(void)
{
    char line[4096];
    size_t words = 0;
    while (fgets(line, sizeof line, stdin))
        words += mini_count_words(line);
    printf("%zu\n", words);
    return 0;
}
