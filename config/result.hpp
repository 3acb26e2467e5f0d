// One error convention for runtime failures across LASR Kiosk.
//
// A function that can fail at run time returns Result<T> (or Status for no
// value). An Error carries a domain (which module failed), a code (what kind
// of failure, for programs) and a message (what happened, for people: it is
// logged and shown on the admin screen as it is). Exceptions are reserved for
// start-up failures and bugs; nothing throws out of a C callback or a
// destructor.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lasr {

enum class Domain { config, content, media, storage, usage, sync, ui, system };

enum class Errc {
    invalid_argument,  // the caller passed something that can never work
    not_found,         // a file, id or key that should exist does not
    parse,             // bytes that are not the format they claim to be
    validation,        // well-formed but breaks a rule (missing field, bad value)
    unsafe_path,       // a path that escapes its root, or is not a plain file
    hash_mismatch,     // content differs from what its manifest promised
    io,                // the operating system refused (open, read, write, fsync)
    unplayable,        // media that cannot be decoded
    truncated,         // media that ended before its expected duration
    stalled,           // progress stopped where it should not
    unavailable,       // a component that is not there (no display, no library)
    internal,          // a third-party library failed in a way we cannot classify
};

std::string_view to_string(Domain d) noexcept;
std::string_view to_string(Errc c) noexcept;

struct Error {
    Domain domain = Domain::system;
    Errc code = Errc::internal;
    std::string message;

    // "content/hash_mismatch: media/a.mp4: SHA-256 differs from the manifest"
    std::string describe() const;
    // "content.hash_mismatch": the cause without the message (which may hold
    // paths), as heartbeats and error statements send it.
    std::string kind() const;
};

inline Error make_error(Domain d, Errc c, std::string message) {
    return Error{d, c, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(v_); }
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }

    const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
    Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

    T value_or(T fallback) const& { return ok() ? std::get<0>(v_) : std::move(fallback); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const& { assert(!ok_); return error_; }
    Error&& error() && { assert(!ok_); return std::move(error_); }

private:
    Error error_{};
    bool ok_ = true;
};

using Status = Result<void>;

// Returns the error of a failed Status or Result from the enclosing function.
#define LASR_TRY(expr)                                   \
    do {                                                 \
        if (auto lasr_try_ = (expr); !lasr_try_)         \
            return std::move(lasr_try_).error();         \
    } while (0)

}  // namespace lasr
