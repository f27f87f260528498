#include "secretstore.h"

#include <functional>
#include <memory>
#include <mutex>
#include <thread>

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

struct KeychainAnswer
{
    QKeychain::Error error = QKeychain::OtherError;
    QString errorString;
    QByteArray data;
};

// Runs one QtKeychain job to completion on a thread of its own, so that the caller (the
// scheduler's thread, a worker, spoolctl) never spins a nested event loop.
KeychainAnswer runJob(const std::function<QKeychain::Job *()> &makeJob)
{
    KeychainAnswer answer;
    std::thread([&] {
        std::unique_ptr<QKeychain::Job> job(makeJob());
        QEventLoop loop;
        QObject::connect(job.get(), &QKeychain::Job::finished, &loop, &QEventLoop::quit);
        job->setAutoDelete(false);
        job->start();
        loop.exec();
        answer.error = job->error();
        answer.errorString = job->errorString();
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(job.get()))
            answer.data = read->binaryData();
    }).join();
    return answer;
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
        const KeychainAnswer probe = runJob([] {
            auto *job = new QKeychain::ReadPasswordJob(kService);
            job->setKey(QStringLiteral("probe"));
            return job;
        });
        g_keychainWorks =
            probe.error == QKeychain::NoError || probe.error == QKeychain::EntryNotFound ? 1 : 0;
        if (!g_keychainWorks)
            qWarning("spool: no system keychain (%s); secrets go to %s (mode 0600)",
                qUtf8Printable(probe.errorString),
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
    const KeychainAnswer written = runJob([&] {
        auto *job = new QKeychain::WritePasswordJob(kService);
        job->setKey(key);
        job->setBinaryData(secret);
        return job;
    });
    if (written.error != QKeychain::NoError)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot store a secret in the system keychain: %1")
                .arg(written.errorString));
    return kKeychainPrefix + key;
}

Result<QByteArray> SecretStore::get(const QString &reference)
{
    if (reference.startsWith(kFilePrefix))
        return getFromFile(reference.mid(kFilePrefix.size()));
    if (!reference.startsWith(kKeychainPrefix))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a secret reference").arg(reference));
    const KeychainAnswer read = runJob([&] {
        auto *job = new QKeychain::ReadPasswordJob(kService);
        job->setKey(reference.mid(kKeychainPrefix.size()));
        return job;
    });
    if (read.error != QKeychain::NoError)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot read secret %1 from the system keychain: %2")
                .arg(reference, read.errorString));
    return read.data;
}

void SecretStore::remove(const QString &reference)
{
    if (reference.startsWith(kKeychainPrefix)) {
        runJob([&] {
            auto *job = new QKeychain::DeletePasswordJob(kService);
            job->setKey(reference.mid(kKeychainPrefix.size()));
            return job;
        });
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
