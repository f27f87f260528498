#include "pgnotifylistener.h"

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

namespace spool {

PgNotifyListener::PgNotifyListener(QByteArray conninfo, QByteArray channel, QByteArray payload,
    int pollMs, std::function<void()> onChange)
    : m_conninfo(std::move(conninfo))
    , m_channel(std::move(channel))
    , m_payload(std::move(payload))
    , m_pollMs(qMax(10, pollMs))
    , m_onChange(std::move(onChange))
{
    if (::pipe2(m_wakeFds, O_CLOEXEC | O_NONBLOCK) != 0)
        m_wakeFds[0] = m_wakeFds[1] = -1;
    m_thread = std::thread([this] { run(); });
}

PgNotifyListener::~PgNotifyListener()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_stopped.notify_all();
    if (m_wakeFds[1] >= 0)
        (void)!::write(m_wakeFds[1], "x", 1);
    m_thread.join();
    for (int fd : m_wakeFds) {
        if (fd >= 0)
            ::close(fd);
    }
}

void PgNotifyListener::run()
{
    for (;;) {
        PGconn *conn = PQconnectdb(m_conninfo.constData());
        if (PQstatus(conn) == CONNECTION_OK) {
            const QByteArray sql = "LISTEN " + m_channel;
            PGresult *res = PQexec(conn, sql.constData());
            const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
            if (ok) {
                m_listening.store(true);
                m_onChange(); // anything committed while nobody listened
                if (!listenOnce(conn)) {
                    m_listening.store(false);
                    PQfinish(conn);
                    return;
                }
                m_listening.store(false);
            }
        }
        PQfinish(conn);
        // Away: look every poll interval until the server is back.
        std::unique_lock lock(m_mutex);
        const auto retryAt = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        do {
            if (m_stopped.wait_for(
                    lock, std::chrono::milliseconds(m_pollMs), [this] { return m_stopping; }))
                return;
            lock.unlock();
            m_onChange();
            lock.lock();
        } while (std::chrono::steady_clock::now() < retryAt);
    }
}

// Waits for notifications until the connection breaks (true) or the listener stops (false).
bool PgNotifyListener::listenOnce(void *handle)
{
    auto *conn = static_cast<PGconn *>(handle);
    for (;;) {
        pollfd fds[2] = { { PQsocket(conn), POLLIN, 0 }, { m_wakeFds[0], POLLIN, 0 } };
        const int n = ::poll(fds, m_wakeFds[0] >= 0 ? 2 : 1, m_pollMs);
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return false;
        }
        if (n <= 0 || fds[0].revents == 0)
            continue;
        if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
            return true;
        bool news = false;
        while (PGnotify *note = PQnotifies(conn)) {
            const bool ours = std::any_of(m_ignoredPids.cbegin(), m_ignoredPids.cend(),
                [&](const std::atomic<int> &pid) { return pid.load() == note->be_pid; });
            if (!ours && m_payload == note->extra)
                news = true;
            PQfreemem(note);
        }
        if (news)
            m_onChange();
    }
}

} // namespace spool
