#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

namespace spool::render::handoff {

// The samples a part stored in a shared queue, kept in memory when the part ran in the process
// that will run the render's delivery (on the machine that queued it): the delivery then takes
// them from here instead of fetching the same bytes back from the queue. Keyed by the content
// hash the queue gave them, so what is taken is what the queue holds under that hash.
//
// Only a cache: a delivery that finds nothing here fetches as before. At most kMaxBytes are
// kept (the oldest go first). Entries older than kMaxAgeMs go the next time the cache is used:
// bytes whose delivery runs in another process on this machine (the app's, while the part ran
// in `spoolctl run`) stay in memory until then.
void keep(const QString &hash, const QByteArray &bytes);
std::optional<QByteArray> take(const QString &hash);

constexpr qint64 kMaxBytes = 256ll * 1024 * 1024;
constexpr qint64 kMaxAgeMs = 10 * 60 * 1000;

} // namespace spool::render::handoff
