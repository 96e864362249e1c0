// SPDX-License-Identifier: MIT
#include "guarded_action.h"

#include <exception>

namespace lfsw {

namespace {
std::string currentExceptionText()
{
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}
} // namespace

GuardedAction::GuardedAction(std::shared_ptr<boost::dll::shared_library> library,
                             std::shared_ptr<Action> inner, std::string plugin)
    : library_(std::move(library)), inner_(std::move(inner)), plugin_(std::move(plugin)),
      name_(inner_->name())
{
}

GuardedAction::~GuardedAction()
{
    inner_.reset(); // explicitly before library_, whatever the member order
}

std::string GuardedAction::description() const
{
    try {
        return inner_->description();
    } catch (...) {
        return "(plugin " + plugin_ + " threw: " + currentExceptionText() + ")";
    }
}

bool GuardedAction::repeatable() const
{
    try {
        return inner_->repeatable();
    } catch (...) {
        return false;
    }
}

std::vector<ParamProblem> GuardedAction::validate(const Params& params) const
{
    try {
        return inner_->validate(params);
    } catch (...) {
        return {{"", "plugin " + plugin_ +
                         " threw while checking parameters: " + currentExceptionText()}};
    }
}

std::string GuardedAction::describe(const Params& params) const
{
    try {
        return inner_->describe(params);
    } catch (...) {
        return "(plugin " + plugin_ + " threw: " + currentExceptionText() + ")";
    }
}

Result GuardedAction::run(Context& context)
{
    try {
        return inner_->run(context);
    } catch (...) {
        return Result::failed("action " + name_ + " (plugin " + plugin_ +
                              ") threw: " + currentExceptionText());
    }
}

} // namespace lfsw
