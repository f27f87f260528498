// The command line explains itself: `spoolctl help`, COMMAND --help, add KIND --help, the man
// pages and the shell completions, all from one command table (src/ctl/commandtable.cpp) and the
// kinds' parameter specs, checked here against the real programs.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "builtinkinds.h"
#include "commandtable.h"
#include "help.h"
#include "job/jobkindregistry.h"

using namespace spool;
using namespace spool::ctl;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &args,
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(30000))
        return { -2, {}, QStringLiteral("timed out") };
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
        QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

// spoolctl with a data directory that does not exist: help must neither need nor create one.
Run spoolctl(const QStringList &args)
{
    return run(QStringLiteral(SPOOLCTL_PATH),
        QStringList { QStringLiteral("--data-dir"), QStringLiteral("/nonexistent/spool-data") }
            + args);
}

// The same words whatever the line breaks.
QString flat(const QString &text)
{
    return text.simplified();
}

const JobKindRegistry &builtins()
{
    static const auto registry = [] {
        auto r = std::make_shared<JobKindRegistry>();
        registerBuiltinKinds(*r, BuiltinSettings { QStringLiteral("/nonexistent"), QString() });
        return r;
    }();
    return *registry;
}

QString readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// What a completion function offers for `line` (the cursor at its end), by running it in bash.
QStringList bashCompletions(const QString &script, const QString &line)
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("spoolctl.bash")));
    if (!file.open(QIODevice::WriteOnly))
        return { QStringLiteral("cannot write the script") };
    file.write(script.toUtf8());
    file.close();
    const QString words = line.endsWith(QLatin1Char(' ')) ? line + QStringLiteral("''") : line;
    const QString program = QStringLiteral(
        "source %1; COMP_WORDS=(%2); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _spoolctl; "
        "printf '%s\\n' \"${COMPREPLY[@]}\"")
                                .arg(file.fileName(), words);
    const Run r = run(QStringLiteral("bash"), { QStringLiteral("-c"), program });
    return r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void overviewNamesEveryCommandAndKind();
    void commandHelpListsItsOptions_data();
    void commandHelpListsItsOptions();
    void kindHelpListsEveryParameter_data();
    void kindHelpListsEveryParameter();
    void pluginKindHelpListsItsParameters();
    void unknownHelpTopicsAreRefused();
    void versionIsOneLine();
    void manPageIsMadeFromTheTable();
    void bashCompletionCompletes_data();
    void bashCompletionCompletes();
    void zshAndFishOfferTheSameWords();
    void appHelpNeedsNoDisplay();
    void secondSpoolHandsItsWordsToTheFirst();
};

void TestCli::overviewNamesEveryCommandAndKind()
{
    const Run help = spoolctl({ QStringLiteral("help") });
    QCOMPARE(help.exitCode, 0);
    for (const CommandHelp &c : commands())
        QVERIFY2(help.out.contains(QStringLiteral("\n  ") + c.name), qPrintable(c.name));
    for (const QString &kind : builtins().names())
        QVERIFY2(help.out.contains(QStringLiteral("\n  ") + kind), qPrintable(kind));
    for (const OptionHelp &option : globalOptions())
        QVERIFY2(help.out.contains(help::optionUsage(option)), qPrintable(option.name));
    QCOMPARE(spoolctl({ QStringLiteral("--help") }).out, help.out);
    QCOMPARE(spoolctl({ QStringLiteral("-h") }).out, help.out);
    // No command: the same words, on stderr, as a usage error.
    const Run none = run(QStringLiteral(SPOOLCTL_PATH), {});
    QCOMPARE(none.exitCode, 2);
    QCOMPARE(none.err, help.out);
    QVERIFY(!QFileInfo::exists(QStringLiteral("/nonexistent/spool-data")));
}

void TestCli::commandHelpListsItsOptions_data()
{
    QTest::addColumn<QString>("command");
    for (const CommandHelp &c : commands())
        QTest::newRow(qPrintable(c.name)) << c.name;
}

void TestCli::commandHelpListsItsOptions()
{
    QFETCH(QString, command);
    const CommandHelp *c = findCommand(command);
    const Run help = spoolctl({ QStringLiteral("help"), command });
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.startsWith(QStringLiteral("Usage: spoolctl [--data-dir DIR] ") + command),
        qPrintable(help.out));
    QVERIFY2(flat(help.out).contains(flat(c->details)), qPrintable(help.out));
    for (const OptionHelp &option : c->options) {
        QVERIFY2(help.out.contains(help::optionUsage(option)), qPrintable(option.name));
        QVERIFY2(flat(help.out).contains(flat(option.description)), qPrintable(option.name));
    }
    if (command != QLatin1String("help") && command != QLatin1String("completion")) {
        const Run dashed = spoolctl({ command, QStringLiteral("--help") });
        QCOMPARE(dashed.exitCode, 0);
        QCOMPARE(dashed.out, help.out);
    }
}

void TestCli::kindHelpListsEveryParameter_data()
{
    QTest::addColumn<QString>("kind");
    for (const QString &kind : builtins().names())
        QTest::newRow(qPrintable(kind)) << kind;
}

void TestCli::kindHelpListsEveryParameter()
{
    QFETCH(QString, kind);
    const Run help = spoolctl({ QStringLiteral("add"), kind, QStringLiteral("--help") });
    QCOMPARE(help.exitCode, 0);
    QCOMPARE(spoolctl({ QStringLiteral("help"), QStringLiteral("add"), kind }).out, help.out);
    const QString text = flat(help.out);
    for (const ParamSpec &spec : builtins().find(kind)->params) {
        if (spec.hidden) {
            QVERIFY2(!text.contains(help::paramUsage(spec)), qPrintable(spec.name));
            continue;
        }
        // "--width W image width in pixels (integer, 1 to 16384, default 1024)"
        const QString entry =
            QStringLiteral("%1 %2 (%3)")
                .arg(help::paramUsage(spec), flat(spec.description), help::paramFacts(spec));
        QVERIFY2(text.contains(entry), qPrintable(entry + QStringLiteral("\n\n") + help.out));
    }
    QVERIFY(text.contains(QStringLiteral("--max-attempts N")));
    QCOMPARE(text.contains(QStringLiteral("--from FILE")), kind == QLatin1String("download"));
}

void TestCli::pluginKindHelpListsItsParameters()
{
    const Run help = spoolctl({ QStringLiteral("add"), QStringLiteral("plugin"),
        QStringLiteral("wordcount"), QStringLiteral("--help") });
    QCOMPARE(help.exitCode, 0);
    const QString text = flat(help.out);
    QVERIFY2(text.contains(QStringLiteral("Counts the lines, words and bytes of a text file.")),
        qPrintable(help.out));
    QVERIFY2(text.contains(QStringLiteral("--param file=FILE the text file (path, required)")),
        qPrintable(help.out));
    QVERIFY2(text.contains(QStringLiteral("(integer, 1 to 1048576, default 65536)")),
        qPrintable(help.out));
}

void TestCli::unknownHelpTopicsAreRefused()
{
    for (const QStringList &args : { QStringList { QStringLiteral("help"), QStringLiteral("nope") },
             QStringList { QStringLiteral("help"), QStringLiteral("add"), QStringLiteral("nope") },
             QStringList { QStringLiteral("add"), QStringLiteral("plugin"), QStringLiteral("nope"),
                 QStringLiteral("--help") },
             QStringList { QStringLiteral("completion"), QStringLiteral("tcsh") } }) {
        const Run r = spoolctl(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.startsWith(QStringLiteral("spoolctl: ")) && r.err.count(u'\n') == 1,
            qPrintable(r.err));
    }
}

void TestCli::versionIsOneLine()
{
    const Run r = spoolctl({ QStringLiteral("--version") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QStringLiteral("spoolctl " SPOOL_VERSION "\n"));
    // The helpers too (beside spoolctl in the build tree).
    const QDir bin = QFileInfo(QStringLiteral(SPOOLCTL_PATH)).dir();
    for (const QString &helper :
        { QStringLiteral("spool-worker-host"), QStringLiteral("spool-scene-reader") }) {
        const Run h = run(bin.filePath(helper), { QStringLiteral("--version") });
        QCOMPARE(h.exitCode, 0);
        QCOMPARE(h.out, helper + QStringLiteral(" " SPOOL_VERSION "\n"));
    }
}

// The installed spoolctl.1 is what `help --man` prints (the build writes it), and it holds every
// command, option and parameter; groff reads it without a warning.
void TestCli::manPageIsMadeFromTheTable()
{
    const Run man = spoolctl({ QStringLiteral("help"), QStringLiteral("--man") });
    QCOMPARE(man.exitCode, 0);
    QCOMPARE(readFile(QStringLiteral(GENERATED_DIR "/man/man1/spoolctl.1")), man.out);
    const auto roff = [](QString text) { return text.replace(u'-', QStringLiteral("\\-")); };
    for (const CommandHelp &c : commands()) {
        QVERIFY2(man.out.contains(QStringLiteral(".SS \"") + roff(c.name)), qPrintable(c.name));
        for (const OptionHelp &option : c.options)
            QVERIFY2(man.out.contains(QStringLiteral("\\fB\\-\\-") + roff(option.name)),
                qPrintable(option.name));
    }
    for (const QString &kind : builtins().names()) {
        for (const ParamSpec &spec : builtins().find(kind)->params) {
            if (!spec.hidden)
                QVERIFY2(man.out.contains(roff(spec.description)), qPrintable(spec.name));
        }
    }
    for (const QString &page : { QStringLiteral(GENERATED_DIR "/man/man1/spoolctl.1"),
             QStringLiteral(GENERATED_DIR "/man/man1/spool.1") }) {
        const Run groff = run(QStringLiteral("groff"),
            { QStringLiteral("-man"), QStringLiteral("-ww"), QStringLiteral("-z"), page });
        QCOMPARE(groff.exitCode, 0);
        QVERIFY2(groff.err.isEmpty(), qPrintable(groff.err));
    }
}

void TestCli::bashCompletionCompletes_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("offered");
    const auto row = [](const char *line, const QStringList &offered) {
        QTest::newRow(line) << QString::fromLatin1(line) << offered;
    };
    row("spoolctl li", { QStringLiteral("list") });
    row("spoolctl --data-dir /tmp/q ru", { QStringLiteral("run"), QStringLiteral("runners") });
    row("spoolctl --queue postgresql://db/q ex", { QStringLiteral("export") });
    row("spoolctl add re", { QStringLiteral("render") });
    row("spoolctl add render x.obj --sa", { QStringLiteral("--samples") });
    row("spoolctl add download --fr", { QStringLiteral("--from") });
    row("spoolctl add render --fr", {});
    row("spoolctl run --unt", { QStringLiteral("--until-empty") });
    row("spoolctl pause --q", { QStringLiteral("--queue") });
    row("spoolctl completion f", { QStringLiteral("fish") });
}

void TestCli::bashCompletionCompletes()
{
    QFETCH(QString, line);
    QFETCH(QStringList, offered);
    const QString script = readFile(QStringLiteral(GENERATED_DIR "/completions/spoolctl.bash"));
    QVERIFY(script.contains(QStringLiteral("complete -o default -F _spoolctl spoolctl")));
    QCOMPARE(bashCompletions(script, line), offered);
}

// zsh and fish are not installed here to run them: they must at least offer every word bash does.
void TestCli::zshAndFishOfferTheSameWords()
{
    const QString zsh = readFile(QStringLiteral(GENERATED_DIR "/completions/_spoolctl"));
    const QString fish = readFile(QStringLiteral(GENERATED_DIR "/completions/spoolctl.fish"));
    QVERIFY(zsh.startsWith(QStringLiteral("#compdef spoolctl\n")));
    QCOMPARE(spoolctl({ QStringLiteral("completion"), QStringLiteral("zsh") }).out, zsh);
    for (const CommandHelp &c : commands()) {
        QVERIFY2(zsh.contains(QLatin1Char(' ') + c.name), qPrintable(c.name));
        QVERIFY2(fish.contains(QStringLiteral("-a %1 -d").arg(c.name)), qPrintable(c.name));
        for (const OptionHelp &option : c.options) {
            QVERIFY2(zsh.contains(QStringLiteral("--") + option.name), qPrintable(option.name));
            if (c.name != QLatin1String("add"))
                QVERIFY2(fish.contains(QStringLiteral("__fish_seen_subcommand_from %1' -l %2")
                                           .arg(c.name, option.name)),
                    qPrintable(option.name));
        }
    }
    for (const QString &kind : builtins().names()) {
        for (const ParamSpec &spec : builtins().find(kind)->params) {
            if (spec.hidden || spec.positional)
                continue;
            const QString option = help::optionName(spec.name);
            QVERIFY2(zsh.contains(QStringLiteral("--") + option), qPrintable(option));
            QVERIFY2(fish.contains(
                         QStringLiteral("__fish_seen_subcommand_from %1' -l %2").arg(kind, option)),
                qPrintable(option));
        }
    }
}

// `spool --help` and `--version` answer on a machine without a display (packaging checks, ssh),
// and spool.1 names every option --help lists.
void TestCli::appHelpNeedsNoDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : { "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM" })
        env.remove(QString::fromLatin1(name));
    const Run help = run(QStringLiteral(SPOOL_APP_PATH), { QStringLiteral("--help") }, env);
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.contains(QStringLiteral("--data-dir <DIR>")), qPrintable(help.out));
    const Run version = run(QStringLiteral(SPOOL_APP_PATH), { QStringLiteral("--version") }, env);
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("spool " SPOOL_VERSION "\n"));
    const QString page = readFile(QStringLiteral(GENERATED_DIR "/man/man1/spool.1"));
    static const QRegularExpression option(QStringLiteral("(--[a-z-]+)"));
    for (const QRegularExpressionMatch &m : option.globalMatch(help.out)) {
        QString roffed = m.captured(1);
        roffed.replace(u'-', QStringLiteral("\\-"));
        QVERIFY2(page.contains(roffed), qPrintable(m.captured(1)));
    }
}

// `spool FILE|URL...` while a window is open on the data directory: the words are queued there,
// the second process prints the answer and exits; a window killed with SIGKILL leaves nothing
// that stops the next one.
void TestCli::secondSpoolHandsItsWordsToTheFirst()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    const QString out = dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("runtime"))));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("runtime")),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), dir.filePath(QStringLiteral("runtime")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("SPOOL_DOWNLOAD_DIR"), out);
    const auto startWindow = [&] {
        auto window = std::make_unique<QProcess>();
        window->setProcessEnvironment(env);
        window->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        window->start(QStringLiteral(SPOOL_APP_PATH), { QStringLiteral("--data-dir"), data });
        return window;
    };
    const auto spool = [&](const QStringList &words, const QString &cwd = QString()) {
        QProcess p;
        p.setProcessEnvironment(env);
        if (!cwd.isEmpty())
            p.setWorkingDirectory(cwd);
        p.start(QStringLiteral(SPOOL_APP_PATH),
            QStringList { QStringLiteral("--data-dir"), data } + words);
        if (!p.waitForFinished(30000))
            return Run { -2, {}, QStringLiteral("timed out") };
        // On a loaded machine the window may still be opening its queue: that is said first.
        QString err = QString::fromUtf8(p.readAllStandardError());
        err.remove(
            QStringLiteral("spool: the window is still opening its queue; waiting for it\n"));
        return Run { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), err };
    };
    // Until the window holds the data directory's lock, a second spool would become the window.
    const auto holdsTheLock = [&](const QProcess &window) {
        const QString lock = readFile(QDir(data).filePath(QStringLiteral("window.lock")));
        return lock.section(u'\n', 0, 0) == QString::number(window.processId());
    };
    const auto jobs = [&] {
        return run(QStringLiteral(SPOOLCTL_PATH),
            { QStringLiteral("--data-dir"), data, QStringLiteral("list"),
                QStringLiteral("--json") })
            .out;
    };

    auto window = startWindow();
    QTRY_VERIFY_WITH_TIMEOUT(holdsTheLock(*window), 30000);
    // Relative to where the second spool runs; the first is elsewhere.
    const Run queued =
        spool({ QStringLiteral("spider.obj"), QStringLiteral("http://127.0.0.1:9/x.bin") },
            QStringLiteral("/usr/share/assimp/models/OBJ"));
    QCOMPARE(queued.exitCode, 0);
    QCOMPARE(queued.out, QStringLiteral("spool: Queued 1 download, 1 render.\n"));
    // The window answers once the jobs are handed to its queue, which commits them just after.
    QTRY_VERIFY_WITH_TIMEOUT(jobs().contains(QStringLiteral("x.bin")), 30000);
    const QString list = jobs();
    QVERIFY2(
        list.contains(QStringLiteral("\"scene\": \"/usr/share/assimp/models/OBJ/spider.obj\"")),
        qPrintable(list));
    QVERIFY2(
        list.contains(QStringLiteral("\"out\": \"%1/spider.png\"").arg(out)), qPrintable(list));
    QVERIFY2(
        list.contains(QStringLiteral("\"url\": \"http://127.0.0.1:9/x.bin\"")), qPrintable(list));

    const Run refused = spool({ QStringLiteral("notes.txt") });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.startsWith(QStringLiteral("spool: Spool cannot queue notes.txt."))
            && refused.err.count(u'\n') == 1,
        qPrintable(refused.err));
    const Run bare = spool({});
    QCOMPARE(bare.exitCode, 0);
    QCOMPARE(bare.out, QStringLiteral("spool: the window is already open\n"));

    // SIGKILL: the lock file and socket stay behind, and the next window takes over.
    window->kill();
    QVERIFY(window->waitForFinished());
    window = startWindow();
    QTRY_VERIFY_WITH_TIMEOUT(holdsTheLock(*window), 30000);
    const Run again = spool({ QStringLiteral("http://127.0.0.1:9/y.bin") });
    QCOMPARE(again.exitCode, 0);
    QTRY_VERIFY2_WITH_TIMEOUT(jobs().contains(QStringLiteral("y.bin")), qPrintable(jobs()), 30000);
    window->terminate();
    QVERIFY(window->waitForFinished(30000));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
