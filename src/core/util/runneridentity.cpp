#include "runneridentity.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <memory>
#include <mutex>
#include <unistd.h>
#include <vector>

#include <QFile>
#include <QSet>
#include <QSysInfo>
#include <QUuid>

namespace spool::runneridentity {

namespace {

std::mutex g_mutex;
QSet<QString> g_aliveRunners;

// Field 22 of /proc/<pid>/stat: the process start time in clock ticks since boot.
QString processStartTicks(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    const QByteArray line = file.readAll();
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return QString();
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    constexpr int kStartTimeIndex = 22 - 3;
    if (fields.size() <= kStartTimeIndex)
        return QString();
    return QString::fromLatin1(fields.at(kStartTimeIndex));
}

} // namespace

// $SPOOL_RUNNER_HOST names the machine in a shared queue when its host name does not tell
// machines apart (containers, cloned images).
QString hostName()
{
    static const QString name = [] {
        QString host = qEnvironmentVariable("SPOOL_RUNNER_HOST");
        if (host.isEmpty())
            host = QSysInfo::machineHostName();
        return host.remove(QLatin1Char('|'));
    }();
    return name;
}

QString makeOwner()
{
    const qint64 pid = ::getpid();
    const QString owner = QStringLiteral("%1|%2|%3|%4")
                              .arg(hostName())
                              .arg(pid)
                              .arg(processStartTicks(pid))
                              .arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    // Interned for the life of the process: every record a runner touches carries this name, and
    // a shared heap string would make all of them bump one reference count across cores. Kept
    // in a table that is never freed (records may outlive static destructors), so that the
    // memory stays reachable instead of leaked.
    static auto *interned = new std::vector<std::unique_ptr<QChar[]>>;
    auto chars = std::make_unique<QChar[]>(size_t(owner.size()));
    std::copy(owner.cbegin(), owner.cend(), chars.get());
    const QString name = QString::fromRawData(chars.get(), owner.size());
    std::lock_guard lock(g_mutex);
    interned->push_back(std::move(chars));
    return name;
}

void setRunnerAlive(const QString &owner, bool alive)
{
    std::lock_guard lock(g_mutex);
    if (alive)
        g_aliveRunners.insert(owner);
    else
        g_aliveRunners.remove(owner);
}

Liveness ownerLiveness(const QString &owner)
{
    const QStringList parts = owner.split(QLatin1Char('|'));
    if (parts.size() != 4 || parts.at(0) != hostName() || parts.at(2).isEmpty())
        return Liveness::Unknown;
    bool ok = false;
    const qint64 pid = parts.at(1).toLongLong(&ok);
    if (!ok || pid <= 0)
        return Liveness::Unknown;
    if (pid == ::getpid()) {
        if (parts.at(2) != processStartTicks(pid))
            return Liveness::Dead;
        std::lock_guard lock(g_mutex);
        return g_aliveRunners.contains(owner) ? Liveness::Alive : Liveness::Dead;
    }
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        return Liveness::Dead;
    const QString start = processStartTicks(pid);
    if (start.isEmpty())
        return Liveness::Unknown;
    // Same pid but a different start time: the pid was reused, the owner is gone.
    return start == parts.at(2) ? Liveness::Alive : Liveness::Dead;
}

QString hostOf(const QString &owner)
{
    return owner.section(QLatin1Char('|'), 0, 0);
}

QString describeOwner(const QString &owner)
{
    const QStringList parts = owner.split(QLatin1Char('|'));
    if (parts.size() < 2)
        return owner;
    return parts.at(0) + QLatin1Char(':') + parts.at(1);
}

} // namespace spool::runneridentity
