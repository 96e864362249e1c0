// SPDX-License-Identifier: MIT
#include "my_action.h"

std::vector<lfsw::ParamProblem> MyAction::validate(const lfsw::Params& params) const
{
    return lfsw::unknownParams(params, {"greeting"});
}

std::string MyAction::describe(const lfsw::Params& params) const
{
    return "log '" + params.getOr("greeting", "recovering") + "' and the step";
}

lfsw::Result MyAction::run(lfsw::Context& context)
{
    const auto step =
        context.event().step.empty() ? std::string("(no step)") : context.event().step;
    context.log(lfsw::LogLevel::Info,
                context.params().getOr("greeting", "recovering") + " " + step);
    return lfsw::Result::done("greeted " + step);
}
