// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/action.h>

// An action: a name for recovery_actions, its parameters checked up front,
// and run(), which reports Done, Failed or NotApplicable.
class MyAction final : public lfsw::Action
{
public:
    std::string name() const override { return "my_action"; }
    std::string description() const override { return "Says which step it recovers"; }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override;
    std::string describe(const lfsw::Params& params) const override;
    lfsw::Result run(lfsw::Context& context) override;
};
