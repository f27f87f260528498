// spoolctl's command line, parsed and checked as the program does (ctl::Cli) against a throwaway
// data directory. Whatever the words, spoolctl answers 0, 1 or 2; a refusal is one line
// "spoolctl: reason"; and a command that is refused writes nothing (the queue's revision stays).
// Inputs are words separated by NUL bytes. Not fuzzed here: `run` (it runs the queued jobs) and
// `plugins` (it loads libraries), paths that leave the scratch folder (absolute, after "=", with
// "..": reading /dev/zero is not a parsing problem) and --data-dir (it stays the scratch folder).
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include "builtinkinds.h"
#include "cli.h"
#include "fuzzinput.h"
#include "store/sqlitejobstore.h"

using namespace spool;

namespace {

bool fuzzable(const QStringList &words)
{
    for (const QString &word : words) {
        if (word == QLatin1String("run") || word == QLatin1String("plugins")
            || word.startsWith(QLatin1Char('/')) || word.startsWith(QLatin1Char('~'))
            || word.contains(QLatin1String("=/")) || word.contains(QLatin1String(".."))
            || word.contains(QLatin1String("data-dir")))
            return false;
    }
    return true;
}

qint64 revision(const QString &dataDir)
{
    SqliteJobStore::Options options;
    options.dataDir = dataDir;
    auto store = SqliteJobStore::open(options);
    SPOOL_FUZZ_CHECK(store.ok(), store.error().message);
    auto rev = store.value()->currentRev();
    SPOOL_FUZZ_CHECK(rev.ok(), rev.error().message);
    return rev.value();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int argc = 1;
    static char name[] = "spoolctl";
    static char *argv[] = { name, nullptr };
    static QCoreApplication app(argc, argv);
    static QTemporaryDir dir;
    static const QString home = QDir::currentPath();

    QStringList words =
        QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size)).split(QChar(0));
    if (!fuzzable(words))
        return 0;
    const QString dataDir = dir.filePath(QStringLiteral("data"));
    const qint64 before = revision(dataDir);
    QString outText, errText;
    QTextStream out(&outText), err(&errText);
    ctl::Cli cli(
        [](const QString &folder) {
            auto registry = std::make_shared<JobKindRegistry>();
            registerBuiltinKinds(*registry, BuiltinSettings { folder, QString() });
            return registry;
        },
        out, err);
    // Relative paths resolve in the scratch folder; libFuzzer reads its corpus from the real one.
    SPOOL_FUZZ_CHECK(QDir::setCurrent(dir.path()), dir.path());
    const int status = cli.run(
        QStringList { QStringLiteral("spoolctl"), QStringLiteral("--data-dir"), dataDir } + words);
    SPOOL_FUZZ_CHECK(QDir::setCurrent(home), home);
    out.flush();
    err.flush();
    SPOOL_FUZZ_CHECK(status == 0 || status == 1 || status == 2, QString::number(status));
    if (status != 0)
        SPOOL_FUZZ_CHECK(revision(dataDir) == before, errText);
    if (errText.startsWith(QLatin1String("spoolctl: ")))
        SPOOL_FUZZ_CHECK(
            errText.count(QLatin1Char('\n')) == 1 && errText.endsWith(QLatin1Char('\n')), errText);
    return 0;
}
