// SPDX-License-Identifier: MIT
#include "plugin/isolation/isolated_action.h"

#include "plugin/isolation/plugin_protocol.h"

namespace lfsw {

IsolatedAction::IsolatedAction(std::shared_ptr<PluginWorker> worker, std::string plugin,
                               std::string name, std::string description, bool repeatable)
    : worker_(std::move(worker)), plugin_(std::move(plugin)), name_(std::move(name)),
      description_(std::move(description)), repeatable_(repeatable)
{
}

std::string IsolatedAction::who() const
{
    return "action " + name_ + " (plugin " + plugin_ + ", isolated)";
}

std::vector<ParamProblem> IsolatedAction::validate(const Params& params) const
{
    // A plugin skipped after a crash cannot check anything; the loader has
    // said so, and running the action fails with the reason.
    if (worker_->dead())
        return {};
    const auto reply = worker_->call(
        {{"op", protocol::op::kValidate}, {"action", name_}, {"params", protocol::toJson(params)}},
        worker_->settings().queryTimeout, nullptr);
    if (!reply.ok)
        return {{"", who() + ": " + reply.failure}};
    std::vector<ParamProblem> problems;
    if (const auto list = reply.message.find("problems");
        list != reply.message.end() && list->is_array())
        for (const auto& problem : *list)
            problems.push_back(
                {protocol::text(problem, "param"), protocol::text(problem, "message")});
    return problems;
}

std::string IsolatedAction::describe(const Params& params) const
{
    const auto reply = worker_->call(
        {{"op", protocol::op::kDescribe}, {"action", name_}, {"params", protocol::toJson(params)}},
        worker_->settings().queryTimeout, nullptr);
    return reply.ok ? protocol::text(reply.message, "text")
                    : "(" + who() + ": " + reply.failure + ")";
}

Result IsolatedAction::run(Context& context)
{
    nlohmann::json request = {{"op", protocol::op::kRun}, {"action", name_}};
    protocol::addContext(request, context);
    return worker_->callForResult(request, worker_->settings().actionTimeout, context, who());
}

} // namespace lfsw
