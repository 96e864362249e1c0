/* libmini: the small static library the mini-LFS programs link against. */
#ifndef MINI_H
#define MINI_H

#include <stddef.h>

size_t mini_count_words(const char* text);
long mini_sum(const long* values, size_t count);
void mini_reverse(char* text);
const char* mini_version(void);

#endif
