#include <cstdio>

#include <QCoreApplication>

#include "builtinkinds.h"
#include "cli.h"

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The same name as the app, so both find the same default data directory.
    QCoreApplication::setApplicationName(QStringLiteral("spool"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    spool::ctl::Cli cli(
        [](const QString &dataDir) {
            auto registry = std::make_shared<spool::JobKindRegistry>();
            spool::registerBuiltinKinds(*registry, spool::BuiltinSettings { dataDir, QString() });
            return registry;
        },
        out, err);
    const int status = cli.run(QCoreApplication::arguments());
    out.flush();
    err.flush();
    return status;
}
