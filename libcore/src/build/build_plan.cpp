// SPDX-License-Identifier: MIT
#include "build/build_plan.h"

#include <set>

#include <pwd.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <lfsw/units.h>

#include "base/file_content.h"
#include "config/config_schema.h"

namespace lfsw {

namespace {

SchemaNode stepField(std::string key, ValueType type, std::string doc, bool required = false)
{
    SchemaNode node{std::move(key), type, {}, std::move(doc), {}, {}, 0, 0, required};
    return node;
}

const SchemaNode& planSchema()
{
    static const SchemaNode schema{
        "",
        ValueType::Map,
        {},
        "build plan",
        {stepField("users", ValueType::StringList,
                   "users a step of the plan creates (not looked up before the build)"),
         SchemaNode{"steps",
                    ValueType::MapList,
                    {},
                    "the steps, in order",
                    {
                        stepField("name", ValueType::String, "unique name", true),
                        stepField("run", ValueType::String, "shell script", true),
                        stepField("env", ValueType::StringMap, "environment variables"),
                        stepField("workdir", ValueType::Path, "working directory"),
                        stepField("user", ValueType::String, "user to run as (root only)"),
                        stepField("chroot", ValueType::Bool, "run inside the build root"),
                        stepField("shell", ValueType::String,
                                  "shell that runs it (bash or /bin/bash; default /bin/sh)"),
                        stepField("clean_env", ValueType::Bool,
                                  "start from an empty environment, as env -i"),
                        stepField("timeout", ValueType::Duration, "time limit"),
                        stepField("checkpoint", ValueType::Bool, "checkpoint after the step"),
                        stepField("baseline", ValueType::Bool, "tag its checkpoint baseline"),
                        stepField("sbu", ValueType::String,
                                  "the book's time estimate in SBU, e.g. 4.1 (for the ETA)"),
                    },
                    {},
                    0,
                    0,
                    true}},
        {},
        0,
        0,
        false};
    return schema;
}

} // namespace

BuildPlan BuildPlan::fromFile(const std::filesystem::path& file)
{
    const auto text = readFileText(file);
    if (!text) {
        BuildPlan plan;
        plan.sourceName_ = file.string();
        plan.problems_.push_back({file.string(), 0, 0, "cannot read the build plan"});
        return plan;
    }
    return fromString(*text, file.string());
}

BuildPlan BuildPlan::fromString(const std::string& yaml, const std::string& name)
{
    BuildPlan plan;
    plan.sourceName_ = name;
    plan.text_ = yaml;
    YAML::Node document;
    try {
        document = YAML::Load(yaml);
    } catch (const YAML::ParserException& e) {
        plan.problems_.push_back(
            {name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
        return plan;
    }
    if (document.IsNull()) {
        plan.problems_.push_back({name, 0, 0, "the build plan is empty: it needs 'steps'"});
        return plan;
    }
    ConfigSchema::checkValue(planSchema(), document, "", name, plan.problems_);
    std::map<std::string, int> names;
    auto checkName = [&](const YAML::Node& node, const std::string& stepName) {
        if (stepName.empty() || stepName.find_first_of("/ \t\n") != std::string::npos)
            plan.problems_.push_back(diagnosticAt(
                name, node,
                "step name '" + stepName + "' must be non-empty, without spaces or slashes"));
        else if (auto [it, inserted] = names.emplace(stepName, node.Mark().line + 1); !inserted)
            plan.problems_.push_back(diagnosticAt(name, node,
                                                  "duplicate step name '" + stepName +
                                                      "' (first on line " +
                                                      std::to_string(it->second) + ")"));
    };
    if (!plan.problems_.empty()) {
        // One pass reports every problem: the names too, where a step's
        // other fields have the wrong type.
        if (document["steps"] && document["steps"].IsSequence())
            for (const auto& item : document["steps"])
                if (item.IsMap() && item["name"] && item["name"].IsScalar())
                    checkName(item["name"], item["name"].Scalar());
        std::stable_sort(plan.problems_.begin(), plan.problems_.end(),
                         [](const auto& a, const auto& b) {
                             return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                         });
        return plan;
    }

    // Users an earlier step creates (the book's lfs user): looked up when
    // their step starts.
    std::set<std::string> madeByPlan;
    if (document["users"])
        for (const auto& user : document["users"])
            madeByPlan.insert(user.Scalar());
    for (const auto& item : document["steps"]) {
        PlanStep step;
        step.name = item["name"].Scalar();
        step.run = item["run"].Scalar();
        if (item["env"])
            for (const auto& variable : item["env"])
                step.env[variable.first.Scalar()] = variable.second.Scalar();
        if (item["workdir"])
            step.workdir = item["workdir"].Scalar();
        if (item["user"])
            step.user = item["user"].Scalar();
        if (item["chroot"])
            step.chroot = item["chroot"].as<bool>();
        if (item["clean_env"])
            step.cleanEnv = item["clean_env"].as<bool>();
        if (item["timeout"])
            step.timeout = *parseDuration(item["timeout"].Scalar());
        if (item["checkpoint"])
            step.checkpoint = item["checkpoint"].as<bool>();
        if (item["baseline"])
            step.baseline = item["baseline"].as<bool>();

        const std::string where = "steps." + step.name;
        if (item["sbu"]) {
            const std::string text = item["sbu"].Scalar();
            std::size_t used = 0;
            double value = -1;
            try {
                value = std::stod(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != text.size() || !(value > 0) || value > 10000)
                plan.problems_.push_back(diagnosticAt(
                    name, item["sbu"],
                    where +
                        ".sbu: expected a number of SBU above 0 (the book's estimate, e.g. "
                        "4.1), found '" +
                        text + "'"));
            else
                step.sbu = value;
        }
        checkName(item["name"], step.name);
        if (item["shell"]) {
            // A bare name is the one in /bin: there inside an LFS chroot too.
            const std::string shell = item["shell"].Scalar();
            step.shell = shell.find('/') == std::string::npos ? "/bin/" + shell : shell;
            if (step.shell.front() != '/' || shell.find(' ') != std::string::npos)
                plan.problems_.push_back(diagnosticAt(
                    name, item["shell"],
                    where + ".shell: expected a shell's name (bash) or absolute path, found '" +
                        shell + "'"));
            else if (!step.chroot && ::access(step.shell.c_str(), X_OK) != 0)
                plan.problems_.push_back(diagnosticAt(name, item["shell"],
                                                      where + ".shell: " + step.shell +
                                                          " is not an executable on this system"));
        }
        if (!step.user.empty()) {
            if (::getpwnam(step.user.c_str()) == nullptr && !madeByPlan.count(step.user))
                plan.problems_.push_back(
                    diagnosticAt(name, item["user"],
                                 where + ".user: no user '" + step.user + "' on this system"));
            else if (::geteuid() != 0)
                plan.problems_.push_back(
                    diagnosticAt(name, item["user"],
                                 where + ".user: running a step as another user needs root"));
        }
        if (step.chroot && ::geteuid() != 0)
            plan.problems_.push_back(diagnosticAt(
                name, item["chroot"],
                where + ".chroot: a chroot step needs root (it mounts /dev, /proc, /sys and /run "
                        "inside the build root)"));
        plan.steps_.push_back(std::move(step));
    }
    if (plan.steps_.empty())
        plan.problems_.push_back(
            diagnosticAt(name, document["steps"], "steps: the plan has no steps"));
    return plan;
}

BuildPlan BuildPlan::fromCommand(const std::vector<std::string>& command)
{
    BuildPlan plan;
    plan.sourceName_ = "<command line>";
    std::string script;
    for (const auto& word : command) {
        // Quote each word for the shell so that it runs as typed.
        std::string quoted = "'";
        for (char c : word)
            quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        script += (script.empty() ? "" : " ") + quoted + "'";
    }
    PlanStep step;
    step.name = "command";
    step.run = script;
    plan.steps_.push_back(step);
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq << YAML::BeginMap
        << YAML::Key << "name" << YAML::Value << step.name << YAML::Key << "run" << YAML::Value
        << script << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    plan.text_ = out.c_str();
    return plan;
}

} // namespace lfsw
