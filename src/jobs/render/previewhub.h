#pragma once

#include <mutex>

#include <QHash>
#include <QImage>
#include <QList>
#include <QUuid>

namespace spool::render {

// The latest live preview of each render running in this process, for the app's details panel.
// Any thread may publish; QImage is implicitly shared, so reading costs no copy. Renders in
// another process (spoolctl run) leave their preview as preview.png in the job's work
// directory instead.
class PreviewHub
{
public:
    static PreviewHub &instance();

    void publish(const QUuid &id, const QImage &image);
    // A null image when there is none; `version` grows with every publish.
    QImage latest(const QUuid &id, quint64 *version = nullptr) const;

private:
    struct Entry
    {
        QImage image;
        quint64 version = 0;
    };
    static constexpr int kKept = 32; // the most recent renders only

    mutable std::mutex m_mutex;
    QHash<QUuid, Entry> m_entries;
    QList<QUuid> m_order; // least recently published first
    quint64 m_version = 0;
};

} // namespace spool::render
