// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace lfsw::test {

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class TempDirectory
{
public:
    TempDirectory()
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "lfsw-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDirectory()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace lfsw::test
