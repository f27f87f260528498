#pragma once

#include <mutex>
#include <utility>
#include <vector>

namespace spool {

// A many-producer, one-consumer hand-off between threads. The data crosses under a std::mutex
// (visible to ThreadSanitizer); the consumer is only woken when the box turns non-empty, so a
// burst of items costs one wake-up.
template<typename T>
class Mailbox
{
public:
    // Returns true when the box was empty: the caller then wakes the consumer.
    bool push(T item)
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_items.empty();
        m_items.push_back(std::move(item));
        return wasEmpty;
    }

    std::vector<T> takeAll()
    {
        std::lock_guard lock(m_mutex);
        return std::exchange(m_items, {});
    }

private:
    std::mutex m_mutex;
    std::vector<T> m_items;
};

} // namespace spool
