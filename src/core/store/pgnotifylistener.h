#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <QByteArray>

namespace spool {

// Listens on a PostgreSQL channel on a connection of its own (libpq) and calls `onChange` for
// every notification sent by another connection. While it cannot listen (server away), it calls
// `onChange` every `pollMs` instead, so that nothing relies on a notification arriving, and
// once more when it listens again.
class PgNotifyListener
{
public:
    PgNotifyListener(QByteArray conninfo, QByteArray channel, QByteArray payload, int pollMs,
        std::function<void()> onChange);
    ~PgNotifyListener();
    Q_DISABLE_COPY_MOVE(PgNotifyListener)

    // Notifications from the store's own connections (their server processes) are not news.
    static constexpr size_t kMaxIgnored = 2;
    void ignoreSender(size_t connection, int backendPid)
    {
        m_ignoredPids.at(connection).store(backendPid);
    }
    bool isListening() const { return m_listening.load(); }

private:
    void run();
    bool listenOnce(void *conn);

    QByteArray m_conninfo;
    QByteArray m_channel;
    QByteArray m_payload;
    int m_pollMs;
    std::function<void()> m_onChange;
    std::array<std::atomic<int>, kMaxIgnored> m_ignoredPids {};
    std::atomic<bool> m_listening { false };
    int m_wakeFds[2] = { -1, -1 };
    std::mutex m_mutex;
    std::condition_variable m_stopped;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace spool
