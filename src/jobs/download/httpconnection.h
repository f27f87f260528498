#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QNetworkReply>
#include <QString>

namespace spool::http {

// Waits on a socket in short slices, so that a stop is seen within 25 ms and a transfer that
// moves no byte for `timeoutMs` ends, as Qt's transfer timeout does.
class IoWaiter final
{
public:
    enum class Outcome { Ready, Stopped, TimedOut, Failed };

    IoWaiter(int timeoutMs, std::function<bool()> shouldStop);
    Outcome wait(int fd, short events);
    void progressed() { m_lastProgress = std::chrono::steady_clock::now(); }
    bool stopRequested() const { return m_shouldStop && m_shouldStop(); }
    int timeoutMs() const { return m_timeoutMs; }
    // What is left of the timeout since the last progress (0 when it has run out); the whole
    // slice when there is no timeout.
    int remainingMs() const;

private:
    int m_timeoutMs;
    std::function<bool()> m_shouldStop;
    std::chrono::steady_clock::time_point m_lastProgress;
};

// A network failure as the download job reads it: Qt's error code and a one-line reason.
struct NetError
{
    QNetworkReply::NetworkError code = QNetworkReply::UnknownNetworkError;
    QString text;
};

// One TCP connection to an origin, closed when its object goes.
class Connection final
{
public:
    Connection() = default;
    Connection(int fd, QByteArray origin)
        : m_fd(fd)
        , m_origin(std::move(origin))
    { }
    Connection(Connection &&other) noexcept;
    Connection &operator=(Connection &&other) noexcept;
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    ~Connection();

    int fd() const { return m_fd; }
    const QByteArray &origin() const { return m_origin; }
    bool isOpen() const { return m_fd >= 0; }
    bool wasUsed() const { return m_used; }
    void markUsed() { m_used = true; }
    std::chrono::steady_clock::time_point idleSince() const { return m_idleSince; }
    void markIdle() { m_idleSince = std::chrono::steady_clock::now(); }
    void close();

    // All of `data`, waiting when the socket is full. Nothing on success.
    std::optional<NetError> sendAll(const QByteArray &data, IoWaiter &waiter);

private:
    int m_fd = -1;
    QByteArray m_origin;
    bool m_used = false;
    std::chrono::steady_clock::time_point m_idleSince;
};

// A new connection to host:port (names resolved through Qt's cached lookup, every address
// tried in turn), or why not.
std::optional<NetError> connectTo(const QString &host, int port, const QByteArray &origin,
    IoWaiter &waiter, Connection *connection);

// The calling thread's kept-alive connections: reused by its next request to the same origin.
class ConnectionPool final
{
public:
    static ConnectionPool &forThisThread();
    // A kept connection that is still open (the server may have closed it while idle).
    std::optional<Connection> take(const QByteArray &origin);
    void keep(Connection connection);

private:
    std::vector<Connection> m_idle;
};

} // namespace spool::http
