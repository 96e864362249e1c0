// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace lfsw {

// The parameters a chain entry gives its action, as written in YAML:
//   - run_command: {command: "make clean", timeout: 30s}
// Values are the scalars' text; an action converts them (see lfsw/units.h) and
// says what is wrong in Action::validate().
class Params
{
public:
    Params() = default;
    explicit Params(std::map<std::string, std::string> values) : values_(std::move(values)) {}

    bool has(const std::string& key) const { return values_.count(key) != 0; }
    std::optional<std::string> get(const std::string& key) const
    {
        auto it = values_.find(key);
        if (it == values_.end())
            return std::nullopt;
        return it->second;
    }
    std::string getOr(const std::string& key, std::string fallback) const
    {
        auto value = get(key);
        return value ? *value : std::move(fallback);
    }
    const std::map<std::string, std::string>& values() const { return values_; }
    bool empty() const { return values_.empty(); }

private:
    std::map<std::string, std::string> values_;
};

} // namespace lfsw
