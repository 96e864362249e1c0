// SPDX-License-Identifier: MIT
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <lfsw/testing.h>

#include "my_action.h"

TEST_CASE("my_action logs its greeting and the step")
{
    lfsw::testing::Harness harness;
    harness.event.condition = "build_failure";
    harness.event.step = "gcc-pass1";
    harness.params = lfsw::Params(std::map<std::string, std::string>{{"greeting", "hello"}});
    auto result = MyAction().run(harness.context());
    CHECK(result.status() == lfsw::Result::Status::Done);
    CHECK(result.message() == "greeted gcc-pass1");
    CHECK(harness.logged("hello gcc-pass1"));
}

TEST_CASE("an unknown parameter is refused")
{
    CHECK(MyAction()
              .validate(lfsw::Params(std::map<std::string, std::string>{{"colour", "red"}}))
              .size() == 1);
}
