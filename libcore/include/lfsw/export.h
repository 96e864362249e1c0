// SPDX-License-Identifier: MIT
// Symbol visibility for liblfsw-core: the library is built with hidden
// visibility, and only what is marked LFSW_EXPORT is visible to the host,
// plugins and embedders.
#pragma once

#if defined(LFSW_BUILDING_CORE)
#define LFSW_EXPORT __attribute__((visibility("default")))
#else
#define LFSW_EXPORT
#endif
