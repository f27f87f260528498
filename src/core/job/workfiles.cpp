#include "workfiles.h"

#include <QDirIterator>

#include "job/jobfiles.h"
#include "job/jobrecord.h"

namespace spool {

WorkFiles::WorkFiles(QString root)
    : m_root(std::move(root))
{ }

void WorkFiles::lookAtRoot()
{
    if (m_root.isEmpty())
        return;
    // Work directories are named by the job's id, delivery notes begin with it; the rest
    // (shared files, anything a user put there) is not a job's.
    const qsizetype idLength = idString(QUuid()).size();
    QSet<QUuid> found;
    QDirIterator it(m_root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    while (it.hasNext()) {
        it.next();
        const QUuid id = QUuid::fromString(QStringView(it.fileName()).left(idLength));
        if (!id.isNull())
            found.insert(id);
    }
    std::lock_guard lock(m_mutex);
    m_ids.unite(found);
}

QString WorkFiles::handOut(const QUuid &id)
{
    {
        std::lock_guard lock(m_mutex);
        m_ids.insert(id);
    }
    return jobfiles::workDir(m_root, id);
}

bool WorkFiles::mayHave(const QUuid &id) const
{
    std::lock_guard lock(m_mutex);
    return m_ids.contains(id);
}

void WorkFiles::forget(const QUuid &id)
{
    std::lock_guard lock(m_mutex);
    m_ids.remove(id);
}

} // namespace spool
