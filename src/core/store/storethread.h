#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "util/result.h"

namespace spool {

class SqlSession;

// Runs a store's SQL on one thread of its own. Concurrent writers are grouped into one
// transaction (group commit), each request of several in a savepoint so that one failing request
// cannot undo another; a read runs alone, in one snapshot.
class StoreThread
{
public:
    // The store's side, called on the store thread only.
    class Backend
    {
    public:
        virtual ~Backend() = default;
        virtual Error open() = 0;
        virtual void close() = 0;
        virtual SqlSession &session() = 0;
        virtual Error beginRead() = 0;
        virtual void endRead() = 0;
        virtual Error beginWrite() = 0;
        virtual Error commitWrite() = 0; // on failure the thread rolls back
        virtual void rollbackWrite() = 0;
        // After each request of a write batch: `kept` false when it was rolled back to its
        // savepoint (what the store deferred for it must go too).
        virtual void endRequest(bool kept) { Q_UNUSED(kept) }
        // False when the database ended the write transaction by itself (SQLite does after
        // some errors: a full disk, an I/O error): what comes after would not be part of it.
        virtual bool inTransaction() { return true; }
        virtual void idle() { } // every poll interval: look for other processes' changes
    };

    StoreThread(Backend *backend, std::chrono::milliseconds pollInterval);
    ~StoreThread(); // finishes the requests already made, then closes
    Q_DISABLE_COPY_MOVE(StoreThread)

    // Opens the backend on the new thread; on failure the thread has ended.
    Error start();
    // Runs `fn` on the store thread and returns its error, or the commit's.
    Error call(bool write, std::function<Error()> fn);
    // Requests waiting for the thread (tests).
    size_t waitingRequests() const;

private:
    struct Request
    {
        bool write = false;
        std::function<Error()> fn;
        std::promise<Error> done;
    };

    void run(std::promise<Error> &opened);
    void process(std::vector<Request *> &batch);
    void runRead(Request &request);
    void runWrites(std::vector<Request *> &batch, size_t begin, size_t end);

    Backend *m_backend;
    std::chrono::milliseconds m_pollInterval;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Request *> m_queue;
    bool m_stopping = false;
};

} // namespace spool
