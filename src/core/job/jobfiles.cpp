#include "jobfiles.h"

#include <unistd.h>

#include <QDir>
#include <QFile>

#include "job/jobkindregistry.h"
#include "util/outputfiles.h"

namespace spool::jobfiles {

QString workDir(const QString &workRoot, const QUuid &id)
{
    return QDir(workRoot).filePath(idString(id));
}

bool release(const JobKindRegistry &registry, const QString &workRoot, const JobRecord &record,
    bool removed, bool onDisk)
{
    if (workRoot.isEmpty() || record.id.isNull())
        return false;
    if (!removed && !isFinishedState(record.state))
        return false;
    const QString dir = workDir(workRoot, record.id);
    const JobKind *kind = registry.find(record.kind);
    // What a removed job kept for others goes first: discard() may hand it back to them.
    if (removed && kind && kind->removed)
        kind->removed(record);
    if ((removed || record.state != JobState::Succeeded) && kind && kind->discard)
        kind->discard(record, dir);
    if (!onDisk)
        return true;
    outputfiles::forgetDelivery(dir);
    // Most jobs make no folder: one access() to find that out, without a file engine.
    if (::access(QFile::encodeName(dir).constData(), F_OK) == 0)
        QDir(dir).removeRecursively();
    return true;
}

} // namespace spool::jobfiles
