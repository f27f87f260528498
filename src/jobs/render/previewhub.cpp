#include "previewhub.h"

namespace spool::render {

PreviewHub &PreviewHub::instance()
{
    static PreviewHub hub;
    return hub;
}

void PreviewHub::publish(const QUuid &id, const QImage &image)
{
    std::lock_guard lock(m_mutex);
    m_order.removeOne(id);
    m_order.append(id);
    m_entries.insert(id, Entry { image, ++m_version });
    while (m_order.size() > kKept)
        m_entries.remove(m_order.takeFirst());
}

QImage PreviewHub::latest(const QUuid &id, quint64 *version) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.constFind(id);
    if (version)
        *version = it == m_entries.cend() ? 0 : it->version;
    return it == m_entries.cend() ? QImage() : it->image;
}

} // namespace spool::render
