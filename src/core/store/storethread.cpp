#include "storethread.h"

#include <vector>

#include "store/sqlsession.h"

namespace spool {

StoreThread::StoreThread(Backend *backend, std::chrono::milliseconds pollInterval)
    : m_backend(backend)
    , m_pollInterval(std::max(pollInterval, std::chrono::milliseconds(10)))
{ }

StoreThread::~StoreThread()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

Error StoreThread::start()
{
    std::promise<Error> opened;
    std::future<Error> result = opened.get_future();
    m_thread = std::thread([this, &opened] { run(opened); });
    const Error e = result.get();
    if (e.isError())
        m_thread.join();
    return e;
}

Error StoreThread::call(bool write, std::function<Error()> fn)
{
    Request request;
    request.write = write;
    request.fn = std::move(fn);
    std::future<Error> result = request.done.get_future();
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(&request);
    }
    m_wake.notify_one();
    return result.get();
}

size_t StoreThread::waitingRequests() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void StoreThread::run(std::promise<Error> &opened)
{
    const Error e = m_backend->open();
    if (e.isError()) {
        m_backend->close();
        opened.set_value(e);
        return;
    }
    opened.set_value(Error {});

    auto nextPoll = std::chrono::steady_clock::now() + m_pollInterval;
    for (;;) {
        std::vector<Request *> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextPoll, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty() && m_stopping)
                break;
            batch.assign(m_queue.begin(), m_queue.end());
            m_queue.clear();
        }
        process(batch);
        if (std::chrono::steady_clock::now() >= nextPoll) {
            m_backend->idle();
            nextPoll = std::chrono::steady_clock::now() + m_pollInterval;
        }
    }
    m_backend->close();
}

void StoreThread::process(std::vector<Request *> &batch)
{
    size_t i = 0;
    while (i < batch.size()) {
        if (!batch[i]->write) {
            runRead(*batch[i]);
            ++i;
            continue;
        }
        size_t end = i;
        while (end < batch.size() && batch[end]->write)
            ++end;
        runWrites(batch, i, end);
        i = end;
    }
}

void StoreThread::runRead(Request &request)
{
    Error e = m_backend->beginRead();
    if (!e.isError()) {
        e = request.fn();
        m_backend->endRead();
    }
    request.done.set_value(e);
}

void StoreThread::runWrites(std::vector<Request *> &batch, size_t begin, size_t end)
{
    std::vector<Error> results(end - begin);
    Error txn = m_backend->beginWrite();
    if (!txn.isError()) {
        // Asked after beginWrite(), which may have replaced a broken connection.
        SqlSession &session = m_backend->session();
        // A request alone needs no savepoint: when it fails, the whole transaction is rolled
        // back, which undoes the same. Two round trips fewer for a server across the network.
        const bool alone = end - begin == 1;
        for (size_t i = begin; i < end && !txn.isError(); ++i) {
            Error e = alone ? Error {} : session.execOnce(QStringLiteral("SAVEPOINT request"));
            if (!e.isError()) {
                e = batch[i]->fn();
                if (e.isError() && !alone)
                    session.execOnce(QStringLiteral("ROLLBACK TO SAVEPOINT request"));
                if (!alone)
                    session.execOnce(QStringLiteral("RELEASE SAVEPOINT request"));
                m_backend->endRequest(!e.isError());
            }
            results[i - begin] = e;
            // The rest would run outside any transaction, each committed at its RELEASE, and
            // be reported failed by the COMMIT after them: they fail now, unrun.
            if (e.isError() && (alone || !m_backend->inTransaction()))
                txn = e;
        }
        if (!txn.isError())
            txn = m_backend->commitWrite();
        if (txn.isError())
            m_backend->rollbackWrite();
    }
    for (size_t i = begin; i < end; ++i) {
        const Error &own = results[i - begin];
        batch[i]->done.set_value(txn.isError() ? txn : own);
    }
}

} // namespace spool
