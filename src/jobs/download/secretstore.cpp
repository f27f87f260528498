#include "secretstore.h"

#include <mutex>

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <qt6keychain/keychain.h>

#include "job/jobrecord.h"
#include "util/ids.h"

namespace spool {

namespace {

const QString kService = QStringLiteral("spool");
const QString kKeychainPrefix = QStringLiteral("keychain:");
const QString kFilePrefix = QStringLiteral("file:");

// The process-wide verdict on the keychain: asking costs a D-Bus round trip (or a timeout).
std::mutex g_probeMutex;
int g_keychainWorks = -1;

// Runs a QtKeychain job to completion on the calling thread (which may be a worker thread).
QKeychain::Error runJob(QKeychain::Job &job)
{
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    loop.exec();
    return job.error();
}

} // namespace

SecretStore::SecretStore(QString dataDir)
    : m_dataDir(std::move(dataDir))
{ }

bool SecretStore::isReference(const QString &value)
{
    return value.startsWith(kKeychainPrefix) || value.startsWith(kFilePrefix);
}

SecretStore::Backend SecretStore::backend()
{
    if (m_backend != Backend::Unknown)
        return m_backend;
    const QString choice = qEnvironmentVariable("SPOOL_SECRETS");
    if (choice == QLatin1String("file"))
        return m_backend = Backend::File;
    if (choice == QLatin1String("keychain"))
        return m_backend = Backend::Keychain;
    std::lock_guard lock(g_probeMutex);
    if (g_keychainWorks < 0) {
        // Probe by reading an entry that does not exist: "not found" means a keychain answered.
        QKeychain::ReadPasswordJob probe(kService);
        probe.setKey(QStringLiteral("probe"));
        const QKeychain::Error error = runJob(probe);
        g_keychainWorks = error == QKeychain::NoError || error == QKeychain::EntryNotFound ? 1 : 0;
        if (!g_keychainWorks)
            qWarning("spool: no system keychain (%s); secrets go to %s (mode 0600)",
                qUtf8Printable(probe.errorString()),
                qUtf8Printable(QDir(m_dataDir).filePath(QStringLiteral("secrets.json"))));
    }
    return m_backend = g_keychainWorks ? Backend::Keychain : Backend::File;
}

QString SecretStore::backendDescription()
{
    return backend() == Backend::Keychain
        ? QStringLiteral("system keychain")
        : QStringLiteral("file %1").arg(QDir(m_dataDir).filePath(QStringLiteral("secrets.json")));
}

Result<QString> SecretStore::put(const QByteArray &secret)
{
    const QString key = idString(newJobId());
    if (backend() == Backend::File)
        return putInFile(key, secret);
    QKeychain::WritePasswordJob job(kService);
    job.setKey(key);
    job.setBinaryData(secret);
    if (runJob(job) != QKeychain::NoError)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot store a secret in the system keychain: %1")
                .arg(job.errorString()));
    return kKeychainPrefix + key;
}

Result<QByteArray> SecretStore::get(const QString &reference)
{
    if (reference.startsWith(kFilePrefix))
        return getFromFile(reference.mid(kFilePrefix.size()));
    if (!reference.startsWith(kKeychainPrefix))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a secret reference").arg(reference));
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(reference.mid(kKeychainPrefix.size()));
    if (runJob(job) != QKeychain::NoError)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot read secret %1 from the system keychain: %2")
                .arg(reference, job.errorString()));
    return job.binaryData();
}

void SecretStore::remove(const QString &reference)
{
    if (reference.startsWith(kKeychainPrefix)) {
        QKeychain::DeletePasswordJob job(kService);
        job.setKey(reference.mid(kKeychainPrefix.size()));
        runJob(job);
        return;
    }
    if (!reference.startsWith(kFilePrefix))
        return;
    const QString path = QDir(m_dataDir).filePath(QStringLiteral("secrets.json"));
    QLockFile lock(path + QStringLiteral(".lock"));
    if (!lock.lock())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    QJsonObject all = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    all.remove(reference.mid(kFilePrefix.size()));
    QSaveFile out(path);
    if (out.open(QIODevice::WriteOnly)) {
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(QJsonDocument(all).toJson(QJsonDocument::Compact));
        out.commit();
    }
}

Result<QString> SecretStore::putInFile(const QString &key, const QByteArray &secret)
{
    if (qEnvironmentVariable("SPOOL_SECRETS") == QLatin1String("keychain"))
        return makeError(ErrorCode::Storage,
            QStringLiteral("no system keychain is running and SPOOL_SECRETS=keychain forbids the "
                           "file fallback"));
    QDir().mkpath(m_dataDir);
    const QString path = QDir(m_dataDir).filePath(QStringLiteral("secrets.json"));
    QLockFile lock(path + QStringLiteral(".lock"));
    if (!lock.lock())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot lock %1").arg(path));
    QJsonObject all;
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly))
        all = QJsonDocument::fromJson(existing.readAll()).object();
    existing.close();
    all.insert(key, QString::fromLatin1(secret.toBase64()));
    QSaveFile out(path);
    // Owner-only before the first byte is written.
    if (!out.open(QIODevice::WriteOnly)
        || !out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    out.write(QJsonDocument(all).toJson(QJsonDocument::Compact));
    if (!out.commit())
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    return kFilePrefix + key;
}

Result<QByteArray> SecretStore::getFromFile(const QString &key)
{
    const QString path = QDir(m_dataDir).filePath(QStringLiteral("secrets.json"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    const QJsonObject all = QJsonDocument::fromJson(file.readAll()).object();
    if (!all.contains(key))
        return makeError(
            ErrorCode::NotFound, QStringLiteral("secret %1 is not in %2").arg(key, path));
    return QByteArray::fromBase64(all.value(key).toString().toLatin1());
}

} // namespace spool
