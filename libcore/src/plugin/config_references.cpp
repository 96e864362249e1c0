// SPDX-License-Identifier: MIT
#include "plugin/config_references.h"

#include <algorithm>
#include <map>
#include <string>

#include <lfsw/params.h>

#include "base/suggest.h"
#include "config/config.h"
#include "config/config_schema.h"
#include "plugin/plugin_registry.h"

namespace lfsw {

std::vector<Diagnostic> checkReferences(const Config& config, const PluginRegistry& registry)
{
    std::vector<Diagnostic> problems;
    const auto conditions = registry.conditionNames();
    auto checkNames = [&](const std::string& key, const std::vector<std::string>& known,
                          const std::string& what) {
        auto list = config.node(key);
        if (!list || !list->IsSequence())
            return;
        for (const auto& item : *list)
            if (item.IsScalar() &&
                std::find(known.begin(), known.end(), item.Scalar()) == known.end())
                problems.push_back(diagnosticAt(config.sourceName(), item,
                                                key + ": no loaded plugin provides " + what + " '" +
                                                    item.Scalar() + "'" +
                                                    didYouMean(item.Scalar(), known)));
    };
    checkNames("alerts.methods", registry.alertChannelNames(), "alert channel");
    checkNames("alerts.triggers", conditions, "condition");
    checkNames("auto_recovery.conditions", conditions, "condition");

    auto chains = config.node("recovery_actions");
    if (!chains || !chains->IsMap())
        return problems;
    const auto actions = registry.actionNames();
    for (const auto& chain : *chains) {
        const std::string key = chain.first.Scalar();
        const auto colon = key.find(':');
        const std::string condition = key.substr(0, colon);
        if (std::find(conditions.begin(), conditions.end(), condition) == conditions.end()) {
            problems.push_back(
                diagnosticAt(config.sourceName(), chain.first,
                             "recovery_actions: no loaded plugin raises condition '" + condition +
                                 "'" + didYouMean(condition, conditions)));
        } else if (colon != std::string::npos) {
            const std::string failureClass = key.substr(colon + 1);
            const auto classes = registry.failureClasses(condition);
            if (std::find(classes.begin(), classes.end(), failureClass) == classes.end()) {
                std::string all;
                for (const auto& c : classes)
                    all += (all.empty() ? "" : ", ") + c;
                problems.push_back(diagnosticAt(
                    config.sourceName(), chain.first,
                    "recovery_actions: condition '" + condition + "' has no failure class '" +
                        failureClass + "'" +
                        (all.empty() ? std::string(" (it has none)") : " (it has: " + all + ")")));
            }
        }
        if (!chain.second.IsSequence())
            continue;
        for (const auto& entry : chain.second) {
            YAML::Node nameNode = entry.IsMap() ? entry.begin()->first : entry;
            if (!nameNode.IsScalar())
                continue;
            const std::string actionName = nameNode.Scalar();
            auto action = registry.action(actionName);
            if (!action) {
                problems.push_back(diagnosticAt(
                    config.sourceName(), nameNode,
                    "recovery_actions." + key + ": no loaded plugin provides action '" +
                        actionName + "'" + didYouMean(actionName, actions)));
                continue;
            }
            YAML::Node paramsNode = entry.IsMap() ? entry.begin()->second : YAML::Node();
            std::map<std::string, std::string> values;
            if (paramsNode.IsMap())
                for (const auto& param : paramsNode)
                    if (param.second.IsScalar())
                        values[param.first.Scalar()] = param.second.Scalar();
            for (const auto& problem : action->validate(Params(values))) {
                YAML::Node where = nameNode;
                if (!problem.param.empty() && paramsNode.IsMap())
                    for (const auto& param : paramsNode)
                        if (param.first.Scalar() == problem.param)
                            where = param.second;
                problems.push_back(
                    diagnosticAt(config.sourceName(), where,
                                 "recovery_actions." + key + "." + actionName +
                                     (problem.param.empty() ? "" : "." + problem.param) + ": " +
                                     problem.message));
            }
        }
    }
    return problems;
}

} // namespace lfsw
