// Expected<T>: a value or a readable error message, for every core function
// that can fail on user input (files, shapes, sizes). Exceptions never cross
// into callers; the message names the file and the problem.
//
//   Expected<Tensor> t = readNpy("x.npy");
//   if (!t) { std::cerr << t.error() << '\n'; return 1; }
//   use(*t);
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace rnnpool {

struct Error {
    std::string message;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

template <typename T>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_state(std::move(value)) {}
    Expected(Error error) : m_state(std::move(error)) {}

    bool hasValue() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return hasValue(); }

    T& value() & { return std::get<T>(m_state); }
    const T& value() const& { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const std::string& error() const { return std::get<Error>(m_state).message; }
    Error takeError() && { return std::get<Error>(std::move(m_state)); }

private:
    std::variant<T, Error> m_state;
};

// For functions that return nothing but can fail.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : m_failed(true), m_message(std::move(error.message)) {}
    static Status ok() { return {}; }

    explicit operator bool() const { return !m_failed; }
    bool isOk() const { return !m_failed; }
    const std::string& error() const { return m_message; }

private:
    bool m_failed = false;
    std::string m_message;
};

} // namespace rnnpool
