// SPDX-License-Identifier: MIT
#include <lfsw/secret.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace lfsw {

std::optional<std::string> readSecretFile(const std::filesystem::path& file, std::string& problem)
{
    std::ifstream in(file);
    if (!in) {
        problem = "cannot read " + file.string() + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    if (line.empty()) {
        problem = file.string() + " is empty: its first line should hold the secret";
        return std::nullopt;
    }
    return line;
}

} // namespace lfsw
