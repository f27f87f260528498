#include "samplehandoff.h"

#include <list>
#include <mutex>

#include <QElapsedTimer>

namespace spool::render::handoff {

namespace {

struct Kept
{
    QString hash;
    QByteArray bytes;
    QElapsedTimer since;
};

std::mutex mutex;
std::list<Kept> kept; // oldest first

// With the mutex held.
void dropStale(qint64 room)
{
    qint64 total = room;
    for (const Kept &k : kept)
        total += k.bytes.size();
    while (!kept.empty() && (total > kMaxBytes || kept.front().since.elapsed() > kMaxAgeMs)) {
        total -= kept.front().bytes.size();
        kept.pop_front();
    }
}

} // namespace

void keep(const QString &hash, const QByteArray &bytes)
{
    if (bytes.size() > kMaxBytes)
        return;
    std::lock_guard lock(mutex);
    // A part run again (a lost lease, a failed naming) keeps one copy, not one per attempt.
    kept.remove_if([&](const Kept &k) { return k.hash == hash; });
    dropStale(bytes.size());
    Kept k { hash, bytes, {} };
    k.since.start();
    kept.push_back(std::move(k));
}

std::optional<QByteArray> take(const QString &hash)
{
    std::lock_guard lock(mutex);
    dropStale(0);
    for (auto it = kept.begin(); it != kept.end(); ++it) {
        if (it->hash == hash) {
            QByteArray bytes = std::move(it->bytes);
            kept.erase(it);
            return bytes;
        }
    }
    return std::nullopt;
}

} // namespace spool::render::handoff
