// SPDX-License-Identifier: MIT
// The build plan parser on arbitrary text: a plan or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "build/build_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto plan = lfsw::BuildPlan::fromString(text, "fuzz-plan.yaml");
        (void)plan.steps().size();
    } catch (const std::exception&) {
        // A bad plan is reported as an exception with its problems.
    }
    return 0;
}
