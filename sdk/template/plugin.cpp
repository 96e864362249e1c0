// SPDX-License-Identifier: MIT
// The plugin's entry: its name, version and what it registers. The macro
// records the ABI the headers describe; the host refuses another.
#include <lfsw/plugin.h>

#include "my_action.h"

LFSW_PLUGIN("my_plugin", "0.1.0", "A plugin made from the lfs-wrapper SDK template")
{
    registry.addAction(std::make_shared<MyAction>());
}
