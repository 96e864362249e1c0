// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>

namespace lfsw {

// What an action reports back to the recovery engine. A failed result stops
// the chain; not-applicable is not a failure (the chain goes on) and says why
// the action had nothing to do.
class Result
{
public:
    enum class Status { Done, Failed, NotApplicable };

    static Result done(std::string message = {}) { return {Status::Done, std::move(message)}; }
    static Result failed(std::string reason) { return {Status::Failed, std::move(reason)}; }
    static Result notApplicable(std::string why) { return {Status::NotApplicable, std::move(why)}; }

    Status status() const { return status_; }
    const std::string& message() const { return message_; }
    bool ok() const { return status_ != Status::Failed; }

private:
    Result(Status status, std::string message) : status_(status), message_(std::move(message)) {}

    Status status_;
    std::string message_;
};

// "done", "failed" or "not-applicable", as journaled and shown to the user.
inline const char* statusName(Result::Status status)
{
    switch (status) {
    case Result::Status::Done:
        return "done";
    case Result::Status::Failed:
        return "failed";
    case Result::Status::NotApplicable:
        return "not-applicable";
    }
    return "unknown";
}

} // namespace lfsw
