// SPDX-License-Identifier: MIT
// The heavy library headers most of the host's files include, parsed once
// per build instead of once per file (meson's cpp_pch).
// (No #pragma once: meson compiles it as a main file, where GCC warns about one.)

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>
