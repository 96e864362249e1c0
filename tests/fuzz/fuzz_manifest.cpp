// SPDX-License-Identifier: MIT
// The manifest reader: a truncated, edited or hostile manifest is refused,
// and one that parses holds only safe paths and serializes back the same.
#include <cstddef>
#include <cstdint>
#include <string>

#include "store/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto parsed = lfsw::Manifest::parse(text);
    if (parsed) {
        const auto* manifest = &*parsed;
        for (const auto& entry : manifest->entries)
            if (!lfsw::Manifest::safePath(entry.path))
                __builtin_trap();
        auto again = lfsw::Manifest::parse(manifest->serialize());
        if (!again.ok())
            __builtin_trap();
    }
    return 0;
}
