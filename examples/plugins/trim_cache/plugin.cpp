// SPDX-License-Identifier: MIT
#include <lfsw/plugin.h>

#include "trim_cache.h"

LFSW_PLUGIN("trim_cache", "1.0.0", "A site's cache trimming action")
{
    registry.addAction(std::make_shared<site::TrimCache>());
}
