#include "httpconnection.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QEventLoop>
#include <QHostAddress>
#include <QHostInfo>
#include <QTimer>

namespace spool::http {

namespace {
constexpr int kSliceMs = 25;
constexpr std::size_t kMaxIdlePerThread = 8;
// A connect that has other addresses to try after it waits this long at most: an address that
// drops packets (IPv6 on a network without it, a dead server behind round-robin DNS) must not
// cost the whole transfer timeout before the next one is tried.
constexpr int kConnectPerAddressMs = 3000;
// Servers drop idle connections after 5 s (Apache) to 75 s (nginx); one idle longer than this
// is not worth the risk of a request that meets its close.
constexpr auto kMaxIdle = std::chrono::seconds(4);

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

QNetworkReply::NetworkError codeFor(int error)
{
    switch (error) {
    case ECONNREFUSED:
        return QNetworkReply::ConnectionRefusedError;
    case ECONNRESET:
    case EPIPE:
        return QNetworkReply::RemoteHostClosedError;
    case ETIMEDOUT:
        return QNetworkReply::TimeoutError;
    default:
        return QNetworkReply::UnknownNetworkError;
    }
}

// The host's addresses: a literal as it is, a name through QHostInfo (which caches answers),
// waiting on this thread's event loop so that a stop or the timeout is seen.
std::optional<NetError> resolve(const QString &host, IoWaiter &waiter, QList<QHostAddress> *out)
{
    if (QHostAddress literal; literal.setAddress(host)) {
        *out = { literal };
        return std::nullopt;
    }
    QEventLoop loop;
    std::optional<QHostInfo> answer;
    const int id = QHostInfo::lookupHost(host, &loop, [&](const QHostInfo &info) {
        answer = info;
        loop.quit();
    });
    QTimer tick;
    const auto started = std::chrono::steady_clock::now();
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        const auto waited = std::chrono::steady_clock::now() - started;
        if (waiter.stopRequested() || waited > std::chrono::milliseconds(waiter.timeoutMs()))
            loop.quit();
    });
    tick.start(kSliceMs);
    if (!answer)
        loop.exec();
    if (!answer) {
        QHostInfo::abortHostLookup(id);
        if (waiter.stopRequested())
            return NetError { QNetworkReply::OperationCanceledError, QStringLiteral("stopped") };
        return NetError { QNetworkReply::OperationCanceledError,
            QStringLiteral("no answer from the name server for %1").arg(host) };
    }
    if (answer->error() != QHostInfo::NoError || answer->addresses().isEmpty())
        return NetError { QNetworkReply::HostNotFoundError,
            QStringLiteral("host %1 not found: %2").arg(host, answer->errorString()) };
    *out = answer->addresses();
    return std::nullopt;
}

// A socket address for `address`:port; its length, or 0 for a family this cannot reach.
socklen_t toSockaddr(const QHostAddress &address, int port, sockaddr_storage *storage)
{
    std::memset(storage, 0, sizeof *storage);
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(quint16(port));
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        return sizeof *in;
    }
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(quint16(port));
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
        if (!address.scopeId().isEmpty())
            in6->sin6_scope_id = if_nametoindex(address.scopeId().toLocal8Bit().constData());
        return sizeof *in6;
    }
    return 0;
}

// One connect attempt; the open socket's descriptor, or -1 with *error set.
int connectOne(const sockaddr_storage &to, socklen_t length, IoWaiter &waiter, NetError *error)
{
    const int fd = ::socket(to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = { QNetworkReply::UnknownNetworkError, errnoText(errno) };
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int failure = 0;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&to), length) != 0) {
        failure = errno;
        if (failure == EINPROGRESS || failure == EINTR) { // both go on in the background
            switch (waiter.wait(fd, POLLOUT)) {
            case IoWaiter::Outcome::Ready: {
                socklen_t size = sizeof failure;
                if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size) != 0)
                    failure = errno;
                break;
            }
            case IoWaiter::Outcome::Stopped:
                ::close(fd);
                *error = { QNetworkReply::OperationCanceledError, QStringLiteral("stopped") };
                return -1;
            case IoWaiter::Outcome::TimedOut:
                ::close(fd);
                *error = { QNetworkReply::OperationCanceledError,
                    QStringLiteral("no connection after %1 s").arg(waiter.timeoutMs() / 1000.0) };
                return -1;
            case IoWaiter::Outcome::Failed:
                failure = errno;
                break;
            }
        }
    }
    if (failure != 0) {
        ::close(fd);
        *error = { codeFor(failure), errnoText(failure) };
        return -1;
    }
    return fd;
}

} // namespace

IoWaiter::IoWaiter(int timeoutMs, std::function<bool()> shouldStop)
    : m_timeoutMs(timeoutMs)
    , m_shouldStop(std::move(shouldStop))
    , m_lastProgress(std::chrono::steady_clock::now())
{ }

IoWaiter::Outcome IoWaiter::wait(int fd, short events)
{
    for (;;) {
        if (stopRequested())
            return Outcome::Stopped;
        // The socket is asked first: a thread that was not scheduled for a while must not call
        // a transfer silent when its bytes are waiting.
        const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - m_lastProgress);
        const qint64 left = m_timeoutMs > 0 ? m_timeoutMs - silent.count() : kSliceMs;
        pollfd entry { fd, events, 0 };
        const int ready = ::poll(&entry, 1, int(std::clamp<qint64>(left, 0, kSliceMs)));
        if (ready > 0)
            return Outcome::Ready; // errors and hang-ups are read by the caller's call
        if (ready < 0 && errno != EINTR)
            return Outcome::Failed;
        if (ready == 0 && left <= 0)
            return Outcome::TimedOut;
    }
}

int IoWaiter::remainingMs() const
{
    if (m_timeoutMs <= 0)
        return 0;
    const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - m_lastProgress);
    return int(std::max<qint64>(m_timeoutMs - silent.count(), 0));
}

Connection::Connection(Connection &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_origin(std::move(other.m_origin))
    , m_used(other.m_used)
    , m_idleSince(other.m_idleSince)
{ }

Connection &Connection::operator=(Connection &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_origin = std::move(other.m_origin);
        m_used = other.m_used;
        m_idleSince = other.m_idleSince;
    }
    return *this;
}

Connection::~Connection()
{
    close();
}

void Connection::close()
{
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

std::optional<NetError> Connection::sendAll(const QByteArray &data, IoWaiter &waiter)
{
    qsizetype sent = 0;
    while (sent < data.size()) {
        const ssize_t n =
            ::send(m_fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
            waiter.progressed();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            const int failure = errno;
            return NetError { codeFor(failure), errnoText(failure) };
        }
        switch (waiter.wait(m_fd, POLLOUT)) {
        case IoWaiter::Outcome::Ready:
            break;
        case IoWaiter::Outcome::Stopped:
            return NetError { QNetworkReply::OperationCanceledError, QStringLiteral("stopped") };
        case IoWaiter::Outcome::TimedOut:
            return NetError {
                QNetworkReply::OperationCanceledError,
                QStringLiteral("the server took no data for %1 s").arg(waiter.timeoutMs() / 1000.0)
            };
        case IoWaiter::Outcome::Failed:
            return NetError { QNetworkReply::UnknownNetworkError, errnoText(errno) };
        }
    }
    return std::nullopt;
}

std::optional<NetError> connectTo(const QString &host, int port, const QByteArray &origin,
    IoWaiter &waiter, Connection *connection)
{
    QList<QHostAddress> addresses;
    if (auto failed = resolve(host, waiter, &addresses))
        return failed;
    NetError last { QNetworkReply::HostNotFoundError,
        QStringLiteral("no address for %1").arg(host) };
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        sockaddr_storage to;
        const socklen_t length = toSockaddr(addresses[i], port, &to);
        if (length == 0)
            continue;
        // Each address gets what is left of the transfer timeout, and at most
        // kConnectPerAddressMs of it while others wait their turn.
        const bool more = i + 1 < addresses.size();
        const bool timed = waiter.timeoutMs() > 0;
        const int left = waiter.remainingMs();
        if (timed && left == 0) {
            last = { QNetworkReply::OperationCanceledError,
                QStringLiteral("no connection after %1 s").arg(waiter.timeoutMs() / 1000.0) };
            break;
        }
        const int budget = !more ? (timed ? left : 0)
            : timed              ? std::min(left, kConnectPerAddressMs)
                                 : kConnectPerAddressMs;
        IoWaiter addressWaiter(budget, [&waiter] { return waiter.stopRequested(); });
        const int fd = connectOne(to, length, addressWaiter, &last);
        if (fd >= 0) {
            *connection = Connection(fd, origin);
            return std::nullopt;
        }
        if (waiter.stopRequested())
            break;
    }
    last.text = QStringLiteral("%1 port %2: %3").arg(host).arg(port).arg(last.text);
    return last;
}

ConnectionPool &ConnectionPool::forThisThread()
{
    thread_local ConnectionPool pool;
    return pool;
}

std::optional<Connection> ConnectionPool::take(const QByteArray &origin)
{
    const auto now = std::chrono::steady_clock::now();
    for (auto it = m_idle.begin(); it != m_idle.end();) {
        if (it->origin() != origin) {
            ++it;
            continue;
        }
        Connection connection = std::move(*it);
        it = m_idle.erase(it);
        if (now - connection.idleSince() > kMaxIdle)
            continue;
        // Readable while idle: the server closed it (or sent what nobody asked for).
        pollfd entry { connection.fd(), POLLIN, 0 };
        if (::poll(&entry, 1, 0) != 0)
            continue;
        return connection;
    }
    return std::nullopt;
}

void ConnectionPool::keep(Connection connection)
{
    if (m_idle.size() == kMaxIdlePerThread)
        m_idle.erase(m_idle.begin()); // the one idle longest
    connection.markIdle();
    m_idle.push_back(std::move(connection));
}

} // namespace spool::http
