// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/action.h>

#include "plugin/plugin_guard.h"

namespace lfsw {

// An action from a plugin, as the host hands it out: it keeps the plugin's
// library loaded for as long as the action lives, and turns an exception
// thrown inside the plugin into a failed result while the library is still
// there to run the exception's destructor.
class GuardedAction final : public Action, private PluginGuard<Action>
{
public:
    GuardedAction(std::shared_ptr<boost::dll::shared_library> library,
                  std::shared_ptr<Action> inner, std::string plugin);

    std::string name() const override { return name_; }
    std::string description() const override;
    bool repeatable() const override;
    std::vector<ParamProblem> validate(const Params& params) const override;
    std::string describe(const Params& params) const override;
    Result run(Context& context) override;

private:
    std::string name_;
};

} // namespace lfsw
