// SPDX-License-Identifier: MIT
#pragma once

#include <lfsw/action.h>

namespace site {

// trim_cache: keeps a cache directory (ccache's, a download cache) under a
// size by removing its least recently modified files first. A gentler
// free_resources for caches worth keeping warm.
//
//   resource_exhaustion:
//     - trim_cache: {path: /var/cache/ccache, max_size: 2G}
//     - restart_build
class TrimCache final : public lfsw::Action
{
public:
    std::string name() const override { return "trim_cache"; }
    std::string description() const override
    {
        return "Trims a cache directory to max_size, oldest files first (params: path, max_size)";
    }
    std::vector<lfsw::ParamProblem> validate(const lfsw::Params& params) const override;
    std::string describe(const lfsw::Params& params) const override;
    lfsw::Result run(lfsw::Context& context) override;
};

} // namespace site
