// SPDX-License-Identifier: MIT
// doctest's implementation and main(), compiled once for every unit test.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
