// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "base/expected.h"

using lfsw::Expected;
using lfsw::Unexpected;

namespace {

Expected<int> half(int n)
{
    if (n % 2)
        return Unexpected(std::to_string(n) + " is odd");
    return n / 2;
}

} // namespace

TEST_CASE("a value, or the reason there is none")
{
    auto four = half(8);
    REQUIRE(four.ok());
    CHECK(*four == 4);
    CHECK(four.error().empty());

    auto odd = half(3);
    CHECK_FALSE(odd);
    CHECK(odd.error() == "3 is odd");
    // Taking the value of a failure is a broken invariant, said loudly.
    CHECK_THROWS_AS(odd.value(), std::logic_error);
}

TEST_CASE("move-only values move out")
{
    Expected<std::unique_ptr<int>> made = std::make_unique<int>(7);
    REQUIRE(made);
    std::unique_ptr<int> taken = std::move(*made);
    CHECK(*taken == 7);
}

TEST_CASE("success without a value")
{
    Expected<void> done;
    CHECK(done.ok());
    Expected<void> refused = Unexpected("held by 42");
    CHECK_FALSE(refused);
    CHECK(refused.error() == "held by 42");
}
