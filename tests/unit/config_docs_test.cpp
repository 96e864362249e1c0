// SPDX-License-Identifier: MIT
// The config reference cannot drift from the schema: every key has a row.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "config/config_schema.h"

TEST_CASE("docs/config.md documents every key of the schema, and no key that is not in it")
{
    std::ifstream in(LFSW_SOURCE_ROOT "/docs/config.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    for (const auto& key : lfsw::ConfigSchema::leafKeys())
        CHECK_MESSAGE(doc.find("| `" + key + "` |") != std::string::npos,
                      (std::string("docs/config.md has no row for ") + key));

    // Rows in the keys table name only keys that exist.
    std::istringstream lines(doc);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("| `", 0) != 0)
            continue;
        const std::string key = line.substr(3, line.find('`', 3) - 3);
        if (key.find('.') == std::string::npos && key != "recovery_actions")
            continue; // other tables: conditions, parameters
        CHECK_MESSAGE(lfsw::ConfigSchema::find(key) != nullptr,
                      (std::string("docs/config.md documents an unknown key ") + key));
    }
}
