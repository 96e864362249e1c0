// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <boost/dll/shared_library.hpp>

namespace lfsw {

// The text of the exception being handled: what() of a std::exception, or
// a fixed phrase for anything else. Call only inside a catch block.
std::string currentExceptionText();

// Calls `call`; whatever it throws becomes `onThrow(text)` (text as
// currentExceptionText() gives it), so that no exception leaves a plugin's
// code. The one way the guards below call into a plugin.
template <typename Call, typename OnThrow>
auto guardedCall(Call&& call, OnThrow&& onThrow) -> decltype(call())
{
    try {
        return std::forward<Call>(call)();
    } catch (...) {
        return std::forward<OnThrow>(onThrow)(currentExceptionText());
    }
}

// What every guard holds: the plugin's object and the library its code is
// in, with the object destroyed first, while its destructor's code is still
// loaded, whatever the order of the guard's own members.
template <typename Interface> class PluginGuard
{
public:
    PluginGuard(std::shared_ptr<boost::dll::shared_library> library,
                std::shared_ptr<Interface> inner, std::string plugin)
        : library_(std::move(library)), inner_(std::move(inner)), plugin_(std::move(plugin))
    {
    }
    ~PluginGuard() { inner_.reset(); }
    PluginGuard(const PluginGuard&) = delete;
    PluginGuard& operator=(const PluginGuard&) = delete;

protected:
    std::shared_ptr<boost::dll::shared_library> library_;
    std::shared_ptr<Interface> inner_;
    std::string plugin_;
};

} // namespace lfsw
