// SPDX-License-Identifier: MIT
// Secrets that channels and backends read from files the config names
// (`alerts.email.password_file`, `alerts.matrix.access_token_file`): a secret
// never sits in the YAML, and the host never logs or journals one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <lfsw/export.h>

namespace lfsw {

// The first line of `file` without its line end and trailing blanks, or
// nothing when the file cannot be read or is empty; `problem` then says why
// ("cannot read FILE: No such file or directory"), without the secret.
LFSW_EXPORT std::optional<std::string> readSecretFile(const std::filesystem::path& file,
                                                      std::string& problem);

} // namespace lfsw
