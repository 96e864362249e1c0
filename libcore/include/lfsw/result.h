// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>

namespace lfsw {

// What an action or an alert channel reports back. A failed result stops
// the chain; not-applicable is not a failure (the chain goes on) and says why
// the action had nothing to do. Rejected is a failure that the same call
// again cannot mend (a bad token, an unknown room): an alert channel's
// rejected delivery is not retried. Since plugin ABI 5.
class Result
{
public:
    enum class Status { Done, Failed, NotApplicable, Rejected };

    static Result done(std::string message = {}) { return {Status::Done, std::move(message)}; }
    static Result failed(std::string reason) { return {Status::Failed, std::move(reason)}; }
    static Result notApplicable(std::string why) { return {Status::NotApplicable, std::move(why)}; }
    static Result rejected(std::string reason) { return {Status::Rejected, std::move(reason)}; }

    Status status() const { return status_; }
    const std::string& message() const { return message_; }
    bool ok() const { return status_ != Status::Failed && status_ != Status::Rejected; }

private:
    Result(Status status, std::string message) : status_(status), message_(std::move(message)) {}

    Status status_;
    std::string message_;
};

// "done", "failed", "not-applicable" or "rejected", as journaled and shown
// to the user.
inline const char* statusName(Result::Status status)
{
    switch (status) {
    case Result::Status::Done:
        return "done";
    case Result::Status::Failed:
        return "failed";
    case Result::Status::NotApplicable:
        return "not-applicable";
    case Result::Status::Rejected:
        return "rejected";
    }
    return "unknown";
}

} // namespace lfsw
