// SPDX-License-Identifier: MIT
// plugins list
#include <iostream>

#include "command.h"
#include "session.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

std::string joined(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "-" : text;
}

int list(Session& session, const po::variables_map&)
{
    const auto& registry = session.plugins();
    for (const auto& plugin : registry.plugins()) {
        std::cout << plugin.name << " " << plugin.version << " (ABI " << plugin.abi << ")\n"
                  << "  file:           " << plugin.file << "\n"
                  << "  runs:           "
                  << (plugin.isolated ? "in a worker process (isolated)" : "in-process") << "\n"
                  << "  description:    " << plugin.description << "\n"
                  << "  actions:        " << joined(plugin.actions) << "\n"
                  << "  conditions:     " << joined(plugin.conditions) << "\n"
                  << "  alert channels: " << joined(plugin.alertChannels) << "\n";
        if (!plugin.backupBackends.empty())
            std::cout << "  backup backends: " << joined(plugin.backupBackends) << "\n";
    }
    if (registry.plugins().empty())
        std::cout << "no plugins loaded\n";
    if (!registry.refusals().empty())
        std::cout << registry.refusals().size() << " plugin file"
                  << (registry.refusals().size() == 1 ? " was" : "s were")
                  << " refused (see the errors above)\n";
    return registry.refusals().empty() ? kExitOk : kExitFailed;
}

} // namespace

void addPluginsCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"plugins list", "", "Show each loaded plugin, its file and what it provides",
         "Plugins are searched in plugins.dirs, then $LFSW_PLUGIN_PATH (colon-separated),\n"
         "then the installation's own plugin directory. Refused files are listed with the\n"
         "reason; the exit status is 1 when any was refused.",
         ConfigNeed::Structural, nullptr, list});
}

} // namespace lfsw::host
