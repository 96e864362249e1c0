// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "base/expected.h"

namespace lfsw {

// Changes one key of a config file's text for `config set`. yaml-cpp cannot
// write a document back with its comments, so when the key already holds a
// single value on one line, only that value's text is replaced and every
// comment and blank line stays; otherwise the document is emitted anew and
// its comments are lost (`commentsKept` says which happened).
class ConfigEditor
{
public:
    struct Edit {
        std::string text;
        bool commentsKept = true;
    };

    // `value` is YAML ("true", "90%", "[log, email]"). Returns the new text,
    // or a message saying why the key cannot be set.
    static Expected<Edit> set(const std::string& original, const std::string& dottedKey,
                              const std::string& value);
};

} // namespace lfsw
