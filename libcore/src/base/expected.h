// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace lfsw {

// Why an Expected holds no value: `return Unexpected("line 3: malformed")`.
struct Unexpected {
    explicit Unexpected(std::string text) : error(std::move(text)) {}
    std::string error;
};

// What a parser (manifest, cron line, config edit) or a setup step that may
// be refused (a lock, a cgroup, a worker) gives back: the value, or the
// reason there is none in words. One of the project's three error styles:
// exceptions for I/O and broken invariants, Result at the plugin boundary,
// and this. Like C++23's std::expected, which GCC 12 lacks.
template <typename T> class [[nodiscard]] Expected
{
public:
    Expected(T value) : value_(std::move(value)) {}
    Expected(Unexpected unexpected) : error_(std::move(unexpected.error)) {}

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }

    // The value; asking a failed Expected for it is a broken invariant.
    T& value() &
    {
        check();
        return *value_;
    }
    const T& value() const&
    {
        check();
        return *value_;
    }
    T&& value() &&
    {
        check();
        return std::move(*value_);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // Why there is no value (empty when there is one).
    const std::string& error() const { return error_; }

private:
    void check() const
    {
        if (!value_)
            throw std::logic_error("no value: " + error_);
    }

    std::optional<T> value_;
    std::string error_;
};

// Success without a value, or the reason for the failure.
template <> class [[nodiscard]] Expected<void>
{
public:
    Expected() = default;
    Expected(Unexpected unexpected) : ok_(false), error_(std::move(unexpected.error)) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const std::string& error() const { return error_; }

private:
    bool ok_ = true;
    std::string error_;
};

} // namespace lfsw
