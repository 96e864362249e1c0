// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include <lfsw/context.h>
#include <lfsw/params.h>
#include <lfsw/result.h>

namespace lfsw {

// One problem with an action's parameters, found when the config is
// validated. `param` names the parameter (empty: the entry as a whole); the
// host adds the file, line and column.
struct ParamProblem {
    std::string param;
    std::string message;
};

// The problems of parameters an action does not take: one per unknown key,
// naming the ones it does take.
inline std::vector<ParamProblem> unknownParams(const Params& params,
                                               const std::vector<std::string>& known)
{
    std::vector<ParamProblem> problems;
    std::string list;
    for (const auto& key : known)
        list += (list.empty() ? "" : ", ") + key;
    for (const auto& [key, value] : params.values()) {
        bool found = false;
        for (const auto& k : known)
            found = found || k == key;
        if (!found)
            problems.push_back({key, "unknown parameter '" + key + "'" +
                                         (list.empty() ? " (this action takes none)"
                                                       : " (expected " + list + ")")});
    }
    return problems;
}

// One recovery step that a `recovery_actions` chain can name. Instances are
// shared: run() may be called many times, for different events.
class Action
{
public:
    virtual ~Action() = default;

    // The name chains use, e.g. "run_command".
    virtual std::string name() const = 0;
    // One line for `plugins list` and the docs.
    virtual std::string description() const = 0;
    // Whether running it twice in a row is harmless. The engine journals this
    // with each run so a resumed chain knows what it may repeat.
    virtual bool repeatable() const { return true; }
    // Checks the parameters before anything runs; an empty list means valid.
    virtual std::vector<ParamProblem> validate(const Params& params) const = 0;
    // What run() would do with these parameters, in one line, for --dry-run.
    virtual std::string describe(const Params& params) const = 0;
    // Does the work. Exceptions are caught by the host and count as failure,
    // but an action should return Result::failed() with a clear reason.
    virtual Result run(Context& context) = 0;
};

} // namespace lfsw
