#include "builtinkinds.h"

#include <QDir>
#include <QStandardPaths>

#include "diagnostickinds.h"
#include "downloadkind.h"
#include "plugins/pluginhost.h"
#include "renderkind.h"

namespace spool {

QString defaultDownloadDir()
{
    const QString env = qEnvironmentVariable("SPOOL_DOWNLOAD_DIR");
    if (!env.isEmpty())
        return QDir::current().absoluteFilePath(env);
    const QString platform = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    return platform.isEmpty() ? QDir::homePath() : platform;
}

void registerBuiltinKinds(JobKindRegistry &registry, const BuiltinSettings &settings)
{
    registerDiagnosticKinds(registry);
    DownloadSettings download;
    download.dataDir = settings.dataDir;
    download.downloadDir =
        settings.downloadDir.isEmpty() ? defaultDownloadDir() : settings.downloadDir;
    registerDownloadKind(registry, download);
    registerRenderKind(registry);
    registerPluginKind(registry);
}

} // namespace spool
