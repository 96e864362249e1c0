// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "base/diagnostic.h"

namespace lfsw {

class Config;
class PluginRegistry;

// The names a config takes from plugins, checked against what the loaded
// ones provide: alert channels, conditions and failure classes, recovery
// actions and their parameters (each action validates its own). A problem
// points at the config's line, with a did-you-mean where one is close.
std::vector<Diagnostic> checkReferences(const Config& config, const PluginRegistry& registry);

} // namespace lfsw
