#pragma once

#include <QByteArray>
#include <QString>

#include "util/result.h"

namespace spool {

// Where credentials (an Authorization header, a cookie) live, so that the queue database, the
// job list and the logs only ever hold a reference such as "keychain:2f1c...".
//
// The system keychain (QtKeychain: Secret Service or KWallet) is used when one answers. Without
// one (a headless machine, CI), secrets go to `<data dir>/secrets.json`, readable by the user
// alone (0600): protected by file permissions only, like git's credential store. Set
// SPOOL_SECRETS=keychain to refuse that fallback, or =file to skip the keychain.
class SecretStore final
{
public:
    explicit SecretStore(QString dataDir);

    // Stores `secret`; returns its reference.
    Result<QString> put(const QByteArray &secret);
    Result<QByteArray> get(const QString &reference);
    void remove(const QString &reference);

    static bool isReference(const QString &value);
    // "system keychain" or "file <path>", for messages.
    QString backendDescription();

private:
    enum class Backend {
        Unknown = 0,
        Keychain,
        File,
    };
    Backend backend();
    Result<QString> putInFile(const QString &key, const QByteArray &secret);
    Result<QByteArray> getFromFile(const QString &key);

    QString m_dataDir;
    Backend m_backend = Backend::Unknown;
};

} // namespace spool
