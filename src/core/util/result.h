#pragma once

#include <utility>
#include <variant>

#include <QString>

namespace spool {

// What went wrong, coarse enough that callers can map it to an exit status or a UI reaction.
enum class ErrorCode {
    None = 0,
    InvalidInput, // a parameter, an option or an id that cannot be right
    NotFound, // no job with that id
    InvalidState, // the command does not apply to the job's current state
    LeaseLost, // another runner owns the job now; this runner's write was refused
    Corrupt, // the database is unreadable, foreign or too new
    Storage, // any other failure to read or write the database
};

struct Error
{
    ErrorCode code = ErrorCode::None;
    QString message;

    bool isError() const { return code != ErrorCode::None; }
    // Errors caused by what the user asked for (exit status 2 in spoolctl).
    bool isBadInput() const
    {
        return code == ErrorCode::InvalidInput || code == ErrorCode::NotFound
            || code == ErrorCode::InvalidState || code == ErrorCode::Corrupt;
    }
};

inline Error makeError(ErrorCode code, QString message)
{
    return Error { code, std::move(message) };
}

// A value or an Error. Small on purpose: no monadic helpers, just ok()/value()/error().
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    { }
    Result(Error error)
        : m_value(std::move(error))
    { }

    bool ok() const { return m_value.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<0>(m_value); }
    const T &value() const & { return std::get<0>(m_value); }
    // By value: `for (x : f().value())` must not iterate a member of a destroyed temporary.
    T value() && { return std::get<0>(std::move(m_value)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    const Error &error() const { return std::get<1>(m_value); }

private:
    std::variant<T, Error> m_value;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    { }

    bool ok() const { return !m_error.isError(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    Error m_error;
};

} // namespace spool
