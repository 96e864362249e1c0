// SPDX-License-Identifier: MIT
#include "plugin/guarded_action.h"

namespace lfsw {

GuardedAction::GuardedAction(std::shared_ptr<boost::dll::shared_library> library,
                             std::shared_ptr<Action> inner, std::string plugin)
    : PluginGuard(std::move(library), std::move(inner), std::move(plugin)), name_(inner_->name())
{
}

std::string GuardedAction::description() const
{
    return guardedCall(
        [&] { return inner_->description(); },
        [&](const std::string& why) { return "(plugin " + plugin_ + " threw: " + why + ")"; });
}

bool GuardedAction::repeatable() const
{
    return guardedCall([&] { return inner_->repeatable(); },
                       [](const std::string&) { return false; });
}

std::vector<ParamProblem> GuardedAction::validate(const Params& params) const
{
    return guardedCall(
        [&] { return inner_->validate(params); },
        [&](const std::string& why) {
            return std::vector<ParamProblem>{
                {"", "plugin " + plugin_ + " threw while checking parameters: " + why}};
        });
}

std::string GuardedAction::describe(const Params& params) const
{
    return guardedCall(
        [&] { return inner_->describe(params); },
        [&](const std::string& why) { return "(plugin " + plugin_ + " threw: " + why + ")"; });
}

Result GuardedAction::run(Context& context)
{
    return guardedCall([&] { return inner_->run(context); },
                       [&](const std::string& why) {
                           return Result::failed("action " + name_ + " (plugin " + plugin_ +
                                                 ") threw: " + why);
                       });
}

} // namespace lfsw
