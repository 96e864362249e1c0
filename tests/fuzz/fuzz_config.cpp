// SPDX-License-Identifier: MIT
// The config parser and validator on arbitrary text: problems, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto config = lfsw::Config::fromString(text, "fuzz.yaml");
    if (config.problems().empty()) {
        // A valid config must answer every question the host asks of it.
        (void)config.buildRoot();
        (void)config.list("alerts.methods");
        (void)config.chainFor("build_failure", "compile_error");
    } else {
        for (const auto& problem : config.problems())
            (void)problem.format();
    }
    return 0;
}
