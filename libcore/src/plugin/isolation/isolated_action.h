// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <lfsw/action.h>

#include "plugin/isolation/plugin_worker.h"

namespace lfsw {

// An action of a plugin that runs in a worker process: what the host hands
// out for it under `plugins.isolation: process`. Its name, description and
// repeatability were read when the worker loaded the plugin; validate(),
// describe() and run() go to the worker. A crash, abort or hang of the
// plugin fails the call with what happened and leaves the host running.
class IsolatedAction final : public Action
{
public:
    IsolatedAction(std::shared_ptr<PluginWorker> worker, std::string plugin, std::string name,
                   std::string description, bool repeatable);

    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    bool repeatable() const override { return repeatable_; }
    std::vector<ParamProblem> validate(const Params& params) const override;
    std::string describe(const Params& params) const override;
    Result run(Context& context) override;

private:
    // "action X (plugin P, isolated)", to say whose a failure is.
    std::string who() const;

    std::shared_ptr<PluginWorker> worker_;
    std::string plugin_;
    std::string name_;
    std::string description_;
    bool repeatable_;
};

} // namespace lfsw
