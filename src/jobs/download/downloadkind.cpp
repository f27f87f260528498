#include "downloadkind.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QNetworkProxyFactory>
#include <QRegularExpression>
#include <QUrl>

#include "filenames.h"
#include "httpheaders.h"
#include "job/jobkindregistry.h"
#include "secretstore.h"

namespace spool {

namespace {

ParamSpec spec(
    const char *name, ParamType type, const char *description, const char *valueName = "")
{
    ParamSpec p;
    p.name = QString::fromLatin1(name);
    p.type = type;
    p.description = QString::fromLatin1(description);
    p.valueName = QString::fromLatin1(valueName);
    return p;
}

QList<ParamSpec> downloadParams()
{
    ParamSpec url = spec("url", ParamType::String, "the http or https URL to fetch", "URL");
    url.required = true;
    url.positional = true;
    ParamSpec maxBytes =
        spec("maxBytes", ParamType::Integer, "refuse responses larger than this", "BYTES");
    maxBytes.minimum = 1;
    ParamSpec timeout = spec(
        "timeoutMs", ParamType::Integer, "give up an attempt after this long without data", "MS");
    timeout.minimum = 100;
    timeout.maximum = 3600 * 1000;
    ParamSpec secrets =
        spec("secretHeaders", ParamType::StringList, "credential headers, as keychain references");
    secrets.hidden = true;
    return {
        url,
        spec("out", ParamType::Path, "the output file (or an existing directory)", "PATH"),
        spec("dir", ParamType::Path, "the directory for a name taken from the response", "DIR"),
        spec("name", ParamType::String, "the file name to save as in the directory", "NAME"),
        spec("sha256", ParamType::String, "verify the download against this SHA-256", "HEX"),
        spec("header", ParamType::StringList, "an extra request header, 'Name: value' (repeatable)",
            "HEADER"),
        spec("method", ParamType::String, "the HTTP method (default GET)", "METHOD"),
        spec("data", ParamType::String, "the request body", "BODY"),
        spec("paginate", ParamType::String, "follow pages: 'link' (Link rel=next) or 'json:FIELD'",
            "MODE"),
        maxBytes,
        timeout,
        spec("locationTrusted", ParamType::Boolean,
            "send credential headers on to other hosts too, after redirects and next-page links "
            "(like curl's --location-trusted; only for hosts you trust)"),
        secrets,
    };
}

QString validateDownload(QJsonObject &params)
{
    const QString text = params.value(QStringLiteral("url")).toString();
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || url.host().isEmpty())
        return QStringLiteral("'%1' is not an http or https URL").arg(text);
    const QString name = params.value(QStringLiteral("name")).toString();
    if (params.contains(QStringLiteral("name")) && filenames::sanitize(name) != name)
        return QStringLiteral(
            "'%1' is not a plain file name (no folders, no leading dots, no control characters)")
            .arg(name);
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{64}$"));
    const QString sha = params.value(QStringLiteral("sha256")).toString();
    if (!sha.isEmpty() && !hex.match(sha).hasMatch())
        return QStringLiteral("--sha256 must be 64 hexadecimal digits, not '%1'").arg(sha);
    static const QRegularExpression headerLine(
        QStringLiteral(R"(^[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*$)"));
    // Headers that frame the request or its connection are the HTTP client's: given by hand
    // they could make the server wait for a body that never comes, or read one wrongly.
    static const QStringList framing { QStringLiteral("content-length"),
        QStringLiteral("transfer-encoding"), QStringLiteral("connection"),
        QStringLiteral("keep-alive"), QStringLiteral("te"), QStringLiteral("trailer"),
        QStringLiteral("upgrade"), QStringLiteral("expect") };
    for (const QJsonValue &h : params.value(QStringLiteral("header")).toArray()) {
        const QString line = h.toString();
        if (line.contains(QLatin1Char('\r')) || line.contains(QLatin1Char('\n'))
            || line.contains(QChar(0)))
            return QStringLiteral("the header '%1' has a line break in it")
                .arg(line.left(line.indexOf(QLatin1Char(':'))));
        if (!headerLine.match(line).hasMatch())
            return QStringLiteral("'%1' is not a header ('Name: value')").arg(line);
        const QString field = line.left(line.indexOf(QLatin1Char(':')));
        if (framing.contains(field.toLower()))
            return QStringLiteral("the %1 header is set by Spool's HTTP client, not by hand")
                .arg(field);
    }
    static const QRegularExpression token(QStringLiteral(R"(^[!#$%&'*+.^_`|~0-9A-Za-z-]+$)"));
    const QString method = params.value(QStringLiteral("method")).toString();
    if (!method.isEmpty() && !token.match(method).hasMatch())
        return QStringLiteral("'%1' is not an HTTP method").arg(method);
    const QString paginate = params.value(QStringLiteral("paginate")).toString();
    if (!paginate.isEmpty() && paginate != QLatin1String("link")
        && !(paginate.startsWith(QLatin1String("json:")) && paginate.size() > 5))
        return QStringLiteral("--paginate must be 'link' or 'json:FIELD', not '%1'").arg(paginate);
    return QString();
}

} // namespace

void registerDownloadKind(JobKindRegistry &registry, const DownloadSettings &settings)
{
    // Proxies as the desktop (or http_proxy and friends) says.
    QNetworkProxyFactory::setUseSystemConfiguration(true);

    JobKind kind;
    kind.name = QStringLiteral("download");
    kind.description = QStringLiteral("Fetches a URL (or a chain of API pages) into a file.");
    kind.params = downloadParams();
    kind.validate = validateDownload;
    kind.prepare = [settings](const QJsonObject &params) -> Result<QJsonObject> {
        QJsonObject prepared = params;
        if (prepared.value(QStringLiteral("out")).toString().isEmpty()
            && prepared.value(QStringLiteral("dir")).toString().isEmpty())
            prepared.insert(QStringLiteral("dir"), settings.downloadDir);
        // Credentials never reach the database: the keychain keeps them, the job a reference.
        QJsonArray plain;
        QJsonArray secret = prepared.value(QStringLiteral("secretHeaders")).toArray();
        SecretStore store(settings.dataDir);
        for (const QJsonValue &h : prepared.value(QStringLiteral("header")).toArray()) {
            const QString line = h.toString();
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            const QString name = line.left(colon).trimmed();
            if (!http::isSensitiveHeader(name.toLatin1())) {
                plain.append(line);
                continue;
            }
            auto reference = store.put(line.mid(colon + 1).trimmed().toUtf8());
            if (!reference)
                return reference.error();
            secret.append(QStringLiteral("%1: %2").arg(name, reference.value()));
        }
        if (plain.isEmpty())
            prepared.remove(QStringLiteral("header"));
        else
            prepared.insert(QStringLiteral("header"), plain);
        if (!secret.isEmpty())
            prepared.insert(QStringLiteral("secretHeaders"), secret);
        return prepared;
    };
    kind.host = [](const QJsonObject &params) {
        return QUrl(params.value(QStringLiteral("url")).toString()).host().toLower();
    };
    kind.discard = &DownloadJob::discard;
    kind.title = [](const QJsonObject &params) {
        // The name the file will have, as far as it is known before the server answers.
        const QString out = params.value(QStringLiteral("out")).toString();
        if (!out.isEmpty() && !QFileInfo(out).isDir())
            return QFileInfo(out).fileName();
        const QString name = params.value(QStringLiteral("name")).toString();
        if (!name.isEmpty())
            return name;
        return filenames::fromUrl(QUrl(params.value(QStringLiteral("url")).toString()));
    };
    kind.create = [settings] { return std::make_unique<DownloadJob>(settings); };
    if (auto added = registry.add(std::move(kind)); !added)
        qWarning("spool: %s", qUtf8Printable(added.error().message));
}

} // namespace spool
