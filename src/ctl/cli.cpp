#include "cli.h"

#include <algorithm>
#include <cstdlib>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLibrary>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>

#include "commandtable.h"
#include "completion.h"
#include "help.h"
#include "job/jobfiles.h"
#include "listline.h"
#include "manpage.h"
#include "plugins/pluginhost.h"
#include "queue/jobgroups.h"
#include "queue/jobqueueimpl.h"
#include "store/openstore.h"
#include "store/postgresjobstore.h"
#include "store/storefileshelf.h"
#include "tableoutput.h"
#include "util/datadir.h"
#include "util/ids.h"
#include "util/oneline.h"
#include "util/runneridentity.h"
#include "util/signalwatcher.h"

namespace spool::ctl {

namespace {

const QString kProgram = QStringLiteral("spoolctl");
// How long a stopping runner waits for an unreachable store before it leaves: long enough for a
// server restart, well inside systemd's 90 s before SIGKILL.
constexpr int kLeaveUnreachableAfterMs = 10000;

QString progressText(const JobRecord &r)
{
    if (r.state == JobState::Succeeded)
        return QStringLiteral("100%");
    if (!r.progress.totalKnown())
        return r.progress.done > 0
            ? QStringLiteral("%1 %2").arg(r.progress.done).arg(r.progress.unit)
            : QStringLiteral("-");
    return QStringLiteral("%1%").arg(static_cast<int>(r.progress.fraction() * 100.0));
}

QString stateText(const JobRecord &r)
{
    QString text = jobStateName(r.state);
    if (r.state == JobState::Running && r.control != JobControl::None) {
        static const QHash<JobControl, QString> requested {
            { JobControl::Cancel, QStringLiteral(" (canceling)") },
            { JobControl::Pause, QStringLiteral(" (pausing)") },
            { JobControl::Remove, QStringLiteral(" (removing)") },
        };
        text += requested.value(r.control);
    }
    if (r.state == JobState::Queued && r.notBeforeMs > QDateTime::currentMSecsSinceEpoch())
        text += QStringLiteral(" (retry at %1)")
                    .arg(QDateTime::fromMSecsSinceEpoch(r.notBeforeMs)
                             .toString(QStringLiteral("HH:mm:ss")));
    return text;
}

// The value of an Integer parameter that caps another's "auto": given, or its default.
qint64 autoCap(const ParamSpec &spec, const QList<ParamSpec> &specs, const QJsonObject &given)
{
    if (spec.autoAtMost.isEmpty())
        return spec.maximum;
    const auto capping = std::find_if(specs.cbegin(), specs.cend(),
        [&](const ParamSpec &other) { return other.name == spec.autoAtMost; });
    const QJsonValue value = given.contains(spec.autoAtMost)
        ? given.value(spec.autoAtMost)
        : (capping != specs.cend() ? capping->defaultValue : QJsonValue());
    return value.isDouble() ? std::min(spec.maximum, value.toInteger()) : spec.maximum;
}

// "auto": one per machine that runs the queue now, within the parameter's bounds.
qint64 autoCount(
    const ParamSpec &spec, const QList<ParamSpec> &specs, const QJsonObject &given, int machines)
{
    return std::clamp<qint64>(machines, 1, std::max<qint64>(1, autoCap(spec, specs, given)));
}

QString autoNote(const ParamSpec &spec, const QString &option, qint64 count, int machines)
{
    if (machines <= 0)
        return QStringLiteral("--%1 auto is 1: no machine runs the queue now").arg(option);
    if (count < machines && count < spec.maximum)
        return QStringLiteral("--%1 auto is %2: %3 machines run the queue now, and there are %2 "
                              "%4 to share")
            .arg(option)
            .arg(count)
            .arg(machines)
            .arg(spec.autoAtMost);
    if (count < machines)
        return QStringLiteral("--%1 auto is %2 (its most): %3 machines run the queue now")
            .arg(option)
            .arg(count)
            .arg(machines);
    return QStringLiteral("--%1 auto is %2: the machines that run the queue now")
        .arg(option)
        .arg(count);
}

} // namespace

Cli::Cli(RegistryFactory makeRegistry, QTextStream &out, QTextStream &err)
    : m_makeRegistry(std::move(makeRegistry))
    , m_out(out)
    , m_err(err)
{ }

int Cli::usage(bool toErr)
{
    (toErr ? m_err : m_out) << help::overview(*registry());
    return toErr ? ExitUsage : ExitOk;
}

const JobKindRegistry *Cli::registry()
{
    if (!m_registry)
        m_registry = m_makeRegistry(m_dataDir);
    return m_registry.get();
}

// `help`, `help COMMAND`, `help add KIND`, `help --man`; `COMMAND --help` comes here too.
int Cli::helpCommand(const QStringList &args)
{
    if (args == QStringList { QStringLiteral("--man") }) {
        m_out << manPage(*registry(), QCoreApplication::applicationVersion());
        return ExitOk;
    }
    if (args.isEmpty())
        return usage(false);
    const CommandHelp *command = findCommand(args.first());
    if (!command)
        return usageError(
            QStringLiteral("help: unknown command '%1' (see spoolctl help)").arg(args.first()));
    if (command->name == QLatin1String("add") && args.size() > 2
        && args.at(1) == QLatin1String("plugin"))
        return pluginKindHelp(args.at(2));
    if (command->name == QLatin1String("add") && args.size() > 1) {
        const JobKind *kind = registry()->find(args.at(1));
        if (!kind)
            return usageError(QStringLiteral("help: unknown kind '%1' (known kinds: %2)")
                                  .arg(args.at(1), registry()->names().join(QStringLiteral(", "))));
        m_out << help::kind(*kind);
        return ExitOk;
    }
    m_out << help::command(*command, *registry());
    return ExitOk;
}

int Cli::pluginKindHelp(const QString &name)
{
    for (const PluginInfo &plugin : PluginHost::instance().plugins()) {
        if (!plugin.refusal.isEmpty())
            continue;
        for (const PluginKindInfo &kind : plugin.kinds) {
            if (kind.name == name) {
                m_out << help::pluginKind(plugin.name, kind);
                return ExitOk;
            }
        }
    }
    return usageError(
        QStringLiteral("help: no plugin provides '%1' (see spoolctl plugins)").arg(name));
}

int Cli::completion(const QStringList &args)
{
    const QString script =
        args.size() == 1 ? completionScript(args.first(), *registry()) : QString();
    if (script.isEmpty())
        return usageError(QStringLiteral("completion takes one of bash, zsh, fish"));
    m_out << script;
    return ExitOk;
}

int Cli::usageError(const QString &message)
{
    m_err << kProgram << ": " << oneLine(message) << '\n';
    m_err.flush();
    return ExitUsage;
}

int Cli::fail(const Error &error)
{
    m_err << kProgram << ": " << oneLine(error.message) << '\n';
    m_err.flush();
    return error.isBadInput() ? ExitUsage : ExitFailure;
}

int Cli::run(const QStringList &arguments)
{
    QStringList rest;
    QString command;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (!command.isEmpty()) {
            rest.append(arg);
        } else if (arg == QLatin1String("--data-dir")) {
            if (i + 1 >= arguments.size())
                return usageError(QStringLiteral("--data-dir needs a directory"));
            m_dataDirOption = arguments.at(++i);
            if (m_dataDirOption.isEmpty())
                return usageError(QStringLiteral("--data-dir needs a directory"));
        } else if (arg.startsWith(QLatin1String("--data-dir="))) {
            m_dataDirOption = arg.mid(11);
            if (m_dataDirOption.isEmpty())
                return usageError(QStringLiteral("--data-dir needs a directory"));
        } else if (arg == QLatin1String("--queue") || arg.startsWith(QLatin1String("--queue="))) {
            const bool inOne = arg.size() > 7;
            if (!inOne && i + 1 >= arguments.size())
                return usageError(QStringLiteral("--queue needs a URL (postgresql://…)"));
            m_queueOption = inOne ? arg.mid(8) : arguments.at(++i);
            if (m_queueOption.isEmpty())
                return usageError(QStringLiteral("--queue needs a URL (postgresql://…)"));
        } else if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            return usage(false);
        } else if (arg == QLatin1String("--version")) {
            m_out << kProgram << ' ' << QCoreApplication::applicationVersion() << '\n';
            return ExitOk;
        } else if (arg.startsWith(QLatin1Char('-'))) {
            return usageError(QStringLiteral("unknown option '%1' (see spoolctl --help)").arg(arg));
        } else {
            command = arg;
        }
    }
    if (command.isEmpty())
        return usage(true);
    // Help needs no data directory: it works before there is a queue, and writes nothing.
    if (command == QLatin1String("help"))
        return helpCommand(rest);
    if (command == QLatin1String("completion"))
        return completion(rest);
    if (findCommand(command)
        && (rest.contains(QStringLiteral("--help")) || rest.contains(QStringLiteral("-h")))) {
        // add KIND --help, add plugin NAME --help: the words before the first option.
        QStringList topic { command };
        for (const QString &word : std::as_const(rest)) {
            if (command != QLatin1String("add") || word.startsWith(QLatin1Char('-'))
                || topic.size() == 3)
                break;
            topic.append(word);
        }
        return helpCommand(topic);
    }
    m_dataDir = datadir::resolve(m_dataDirOption);
    if (m_dataDir.isEmpty())
        return usageError(
            QStringLiteral("no data directory: give --data-dir or set SPOOL_DATA_DIR"));
    m_registry = m_makeRegistry(m_dataDir);
    m_queueUrl = resolveQueueUrl(m_queueOption);
    if (!m_queueUrl.isEmpty()) {
        if (Error e = PostgresJobStore::checkUrl(m_queueUrl); e.isError())
            return fail(e);
    }

    if (command == QLatin1String("add"))
        return add(rest);
    if (command == QLatin1String("list"))
        return list(rest);
    if (command == QLatin1String("show"))
        return show(rest);
    if (command == QLatin1String("run"))
        return runQueue(rest);
    if (command == QLatin1String("plugins"))
        return plugins(rest);
    if (command == QLatin1String("gil-stats"))
        return gilStats(rest);
    if (command == QLatin1String("export"))
        return exportJobs(rest);
    if (command == QLatin1String("import"))
        return importJobs(rest);
    if (command == QLatin1String("runners"))
        return runners(rest);
    if (command == QLatin1String("prune"))
        return prune(rest);
    const JobCommand jc = jobCommandFromName(command);
    if (jc != JobCommand::Invalid)
        return jobCommand(jc, rest);
    return usageError(QStringLiteral("unknown command '%1' (see spoolctl --help)").arg(command));
}

QString Cli::workRoot() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("work"));
}

Result<std::shared_ptr<JobStore>> Cli::openStore(bool createIfMissing)
{
    StoreLocation where;
    where.dataDir = m_dataDir;
    where.queueUrl = m_queueUrl;
    where.createIfMissing = createIfMissing;
    return spool::openStore(where);
}

Result<int> Cli::machinesRunningTheQueue()
{
    auto store = openStore(false);
    if (!store)
        return store.error().code == ErrorCode::NotFound ? Result<int>(0)
                                                         : Result<int>(store.error());
    auto runners = store.value()->runners();
    if (!runners)
        return runners.error();
    return machinesRunning(runners.value(), QDateTime::currentMSecsSinceEpoch());
}

// A job only this machine may run (a render's delivery) waits for a runner here: say so when
// none runs now, or the user would wait for a picture nothing is going to write.
QString Cli::runsOnNote(const JobKind &kind, const QList<NewJob> &jobs, JobStore &store)
{
    if (!kind.runsOn)
        return {};
    const QString here = runneridentity::hostName();
    const bool pinnedHere = std::any_of(jobs.begin(), jobs.end(),
        [&](const NewJob &job) { return kind.runsOn(job.params) == here; });
    if (!pinnedHere)
        return {};
    auto runners = store.runners();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (runners && std::any_of(runners->begin(), runners->end(), [&](const RunnerInfo &runner) {
            return runner.host == here && runner.workers > 0 && runnerSeemsAlive(runner, now);
        }))
        return {};
    return QStringLiteral("nothing runs the queue on this machine (%1) now: the result is "
                          "written here once the app or 'spoolctl run' runs here")
        .arg(here);
}

Result<QUuid> Cli::resolveId(JobStore &store, const QString &text)
{
    const QUuid exact = QUuid::fromString(text);
    if (!exact.isNull())
        return exact;
    static const QRegularExpression prefixPattern(
        QStringLiteral("^[0-9a-fA-F][0-9a-fA-F-]{3,35}$"));
    if (!prefixPattern.match(text).hasMatch())
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' is not a job id (give the id, or at least its first 4 characters)")
                .arg(text));
    auto ids = store.findIds(text, 2);
    if (!ids)
        return ids.error();
    if (ids->isEmpty())
        return makeError(
            ErrorCode::NotFound, QStringLiteral("no job with an id starting '%1'").arg(text));
    if (ids->size() > 1)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' matches several jobs; give more of the id").arg(text));
    return ids->first();
}

int Cli::add(const QStringList &args)
{
    if (args.isEmpty() || args.first().startsWith(QLatin1Char('-')))
        return usageError(QStringLiteral("add needs a kind (known kinds: %1)")
                              .arg(m_registry->names().join(QStringLiteral(", "))));
    const QString kindName = args.first();
    const JobKind *kind = m_registry->find(kindName);
    if (!kind)
        return usageError(QStringLiteral("unknown kind '%1' (known kinds: %2)")
                              .arg(kindName, m_registry->names().join(QStringLiteral(", "))));

    QCommandLineParser parser;
    QHash<QString, QCommandLineOption> options;
    QList<const ParamSpec *> positionals;
    for (const ParamSpec &spec : kind->params) {
        if (spec.hidden)
            continue;
        if (spec.positional) {
            positionals.append(&spec);
            continue;
        }
        QCommandLineOption option(help::optionName(spec.name), spec.description);
        if (spec.type != ParamType::Boolean)
            option.setValueName(
                spec.valueName.isEmpty() ? QStringLiteral("VALUE") : spec.valueName);
        parser.addOption(option);
        options.insert(spec.name, option);
    }
    // What the user is told once the jobs are queued (a missing texture), each thing once.
    QStringList notes;
    QList<QJsonObject> jobs;
    const auto expandInto = [&](const QJsonObject &params) {
        if (kind->notes) {
            for (const QString &note : kind->notes(params)) {
                if (!notes.contains(note))
                    notes.append(note);
            }
        }
        jobs.append(m_registry->expand(kindName, params));
    };
    const QString maxAttemptsOption = QStringLiteral("max-attempts");
    const QString fromOption = QStringLiteral("from");
    // Many jobs at once: one per line of a file (URL and an optional file name), one transaction.
    const bool takesLists = help::takesLists(*kind);
    for (const OptionHelp &option : findCommand(QStringLiteral("add"))->options) {
        if (option.name != fromOption || takesLists)
            parser.addOption(QCommandLineOption(option.name, option.description, option.valueName));
    }
    if (!parser.parse(QStringList { kProgram } + args.mid(1)))
        return usageError(QStringLiteral("add %1: %2").arg(kindName, parser.errorText()));

    // Options shared by every job of this command.
    QJsonObject common;
    for (const ParamSpec &spec : kind->params) {
        const auto found = options.constFind(spec.name);
        if (found == options.cend() || !parser.isSet(*found))
            continue;
        const QCommandLineOption &option = *found;
        if (spec.type == ParamType::Boolean) {
            common.insert(spec.name, true);
            continue;
        }
        if (spec.type == ParamType::StringList) {
            common.insert(spec.name, QJsonArray::fromStringList(parser.values(option)));
            continue;
        }
        if (spec.autoIsMachines && parser.value(option) == QLatin1String("auto")) {
            auto machines = machinesRunningTheQueue();
            if (!machines)
                return fail(machines.error());
            const qint64 count = autoCount(spec, kind->params, common, machines.value());
            common.insert(spec.name, count);
            notes.append(autoNote(spec, option.names().first(), count, machines.value()));
            continue;
        }
        auto value = paramFromText(spec, parser.value(option));
        if (!value)
            return usageError(QStringLiteral("add %1: --%2: %3")
                                  .arg(kindName, option.names().first(), value.error().message));
        common.insert(spec.name, value.value());
    }
    int maxAttempts = RetryPolicy {}.maxAttempts;
    if (parser.isSet(maxAttemptsOption)) {
        bool ok = false;
        maxAttempts = parser.value(maxAttemptsOption).toInt(&ok);
        if (!ok || maxAttempts < 1 || maxAttempts > 1000)
            return usageError(
                QStringLiteral("add %1: --max-attempts must be a whole number from 1 to 1000")
                    .arg(kindName));
    }
    // Paths are as the user typed them, relative to where spoolctl runs; the runner may be
    // another process in another directory.
    const auto absolutePaths = [kind](QJsonObject &params) {
        for (const ParamSpec &spec : kind->params) {
            const QString path = params.value(spec.name).toString();
            if (spec.type == ParamType::Path && !path.isEmpty())
                params.insert(spec.name, QDir::cleanPath(QDir::current().absoluteFilePath(path)));
        }
    };

    const QStringList words = parser.positionalArguments();
    if (takesLists && parser.isSet(fromOption)) {
        if (!words.isEmpty())
            return usageError(QStringLiteral(
                "add %1: give URLs in --from's file or on the command line, not both")
                                  .arg(kindName));
        const QString fileName = parser.value(fromOption);
        QFile file(fileName);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            return usageError(QStringLiteral("add %1: cannot read %2: %3")
                                  .arg(kindName, fileName, file.errorString()));
        int lineNumber = 0;
        while (!file.atEnd()) {
            ++lineNumber;
            const auto line = parseListLine(QString::fromUtf8(file.readLine()));
            if (!line)
                continue;
            QJsonObject params = common;
            params.insert(QStringLiteral("url"), line->url);
            if (!line->name.isEmpty())
                params.insert(QStringLiteral("name"), line->name);
            absolutePaths(params);
            auto checked = m_registry->validate(kindName, params);
            if (!checked)
                return usageError(QStringLiteral("%1:%2: %3")
                                      .arg(fileName)
                                      .arg(lineNumber)
                                      .arg(checked.error().message));
            expandInto(checked.value());
        }
        if (jobs.isEmpty())
            return usageError(
                QStringLiteral("add %1: %2 has no lines with a URL").arg(kindName, fileName));
    } else {
        QJsonObject params = common;
        if (words.size() > positionals.size())
            return usageError(QStringLiteral("add %1: unexpected argument '%2'")
                                  .arg(kindName, words.at(positionals.size())));
        for (qsizetype i = 0; i < words.size(); ++i) {
            auto value = paramFromText(*positionals.at(i), words.at(i));
            if (!value)
                return usageError(
                    QStringLiteral("add %1: %2: %3")
                        .arg(kindName, positionals.at(i)->name, value.error().message));
            params.insert(positionals.at(i)->name, value.value());
        }
        // Missing ones are named as the user would type them (--out FILE, a URL), not by the
        // kind's internal parameter names.
        for (const ParamSpec &spec : kind->params) {
            if (!spec.required || spec.hidden || params.contains(spec.name))
                continue;
            const QString value =
                spec.valueName.isEmpty() ? QStringLiteral("VALUE") : spec.valueName;
            return usageError(spec.positional
                    ? QStringLiteral("add %1 needs %2 (spoolctl add %1 %2 ...)")
                          .arg(kindName, value)
                    : QStringLiteral("add %1 needs --%2 %3")
                          .arg(kindName, help::optionName(spec.name), value));
        }
        absolutePaths(params);
        auto checked = m_registry->validate(kindName, params);
        if (!checked)
            return fail(checked.error());
        expandInto(checked.value());
    }

    // Only now, with valid input, is anything written.
    auto store = openStore(true);
    if (!store)
        return fail(store.error());
    QList<NewJob> newJobs;
    std::unique_ptr<StoreFileShelf> shelf;
    if (kind->share && store.value()->spansMachines())
        shelf = std::make_unique<StoreFileShelf>(store.value(), sharedFilesDirFor(workRoot()));
    QList<NewJob> goWith; // queued after the others (a render's delivery after its parts)
    for (const QJsonObject &params : std::as_const(jobs)) {
        auto prepared = JobKindRegistry::prepareToQueue(*kind, params, shelf.get());
        if (!prepared)
            return fail(prepared.error());
        newJobs.append(NewJob { newJobId(), kindName, prepared->takeFirst(), maxAttempts });
        for (const QJsonObject &more : std::as_const(prepared.value()))
            goWith.append(NewJob { newJobId(), kindName, more, maxAttempts });
    }
    newJobs.append(goWith);
    if (const QString note = runsOnNote(*kind, newJobs, *store.value()); !note.isEmpty())
        notes.append(note);
    auto added = store.value()->enqueue(newJobs, QDateTime::currentMSecsSinceEpoch());
    if (!added)
        return fail(added.error());
    for (const NewJob &job : std::as_const(newJobs))
        m_out << idString(job.id) << '\n';
    for (const QString &note : std::as_const(notes))
        m_err << kProgram << ": note: " << oneLine(note) << '\n';
    return ExitOk;
}

int Cli::plugins(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("plugins")));
    const QString jsonOption = QStringLiteral("json");
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("plugins: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("plugins: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    if (parser.isSet(QStringLiteral("check")))
        return checkPlugin(parser.value(QStringLiteral("check")));
    const QList<PluginInfo> found = PluginHost::instance().plugins();
    if (parser.isSet(jsonOption)) {
        QJsonArray out;
        for (const PluginInfo &p : found) {
            QJsonArray kinds;
            for (const PluginKindInfo &k : p.kinds)
                kinds.append(k.name);
            out.append(QJsonObject { { QStringLiteral("file"), p.file },
                { QStringLiteral("name"), p.name }, { QStringLiteral("version"), p.version },
                { QStringLiteral("sdkVersion"), p.sdkVersion },
                { QStringLiteral("threadSafe"), p.threadSafe }, { QStringLiteral("kinds"), kinds },
                { QStringLiteral("refused"),
                    p.refusal.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(p.refusal) } });
        }
        m_out << QJsonDocument(out).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    if (found.isEmpty()) {
        m_out << "no plugins in " << PluginHost::defaultDirectories().join(QStringLiteral(", "))
              << '\n';
        return ExitOk;
    }
    for (const PluginInfo &p : found) {
        if (!p.refusal.isEmpty()) {
            m_out << QFileInfo(p.file).fileName() << ": refused: " << p.refusal << '\n';
            continue;
        }
        QStringList kinds;
        for (const PluginKindInfo &k : p.kinds)
            kinds.append(k.name);
        m_out << p.name << ' ' << p.version << " (" << QFileInfo(p.file).fileName() << ", SDK "
              << p.sdkVersion << ", " << (p.threadSafe ? "thread-safe" : "legacy")
              << "): " << kinds.join(QStringLiteral(", ")) << '\n';
    }
    return ExitOk;
}

// Whether this Spool would load FILE, and why not: for plugin authors' CI.
int Cli::checkPlugin(const QString &file)
{
    const QFileInfo info(file);
    if (!info.isFile())
        return usageError(QStringLiteral("plugins --check: %1 is not a file").arg(file));
    if (!QLibrary::isLibrary(info.fileName()))
        return usageError(
            QStringLiteral("plugins --check: %1 is not a shared library (.so)").arg(file));
    PluginInfo plugin = PluginHost::inspect(info.canonicalFilePath());
    for (const PluginKindInfo &kind : std::as_const(plugin.kinds)) {
        if (!plugin.refusal.isEmpty())
            break;
        if (registry()->find(kind.name)) {
            plugin.refusal = QStringLiteral("kind '%1' is built into Spool").arg(kind.name);
            break;
        }
        for (const PluginInfo &other : PluginHost::instance().plugins()) {
            const bool sameKind = std::any_of(other.kinds.cbegin(), other.kinds.cend(),
                [&kind](const PluginKindInfo &k) { return k.name == kind.name; });
            // An installed copy of this very plugin (same file name) is the one it replaces.
            const bool copyOfThis = QFileInfo(other.file).fileName() == info.fileName();
            if (other.refusal.isEmpty() && !copyOfThis && sameKind) {
                plugin.refusal = QStringLiteral("kind '%1' is already provided by %2")
                                     .arg(kind.name, other.file);
                break;
            }
        }
    }
    if (!plugin.refusal.isEmpty())
        return usageError(
            QStringLiteral("%1: would not load: %2").arg(info.fileName(), plugin.refusal));
    QStringList kinds;
    for (const PluginKindInfo &k : std::as_const(plugin.kinds))
        kinds.append(k.name);
    m_out << info.fileName() << ": would load: " << plugin.name << ' ' << plugin.version << " (SDK "
          << plugin.sdkVersion << ", " << (plugin.threadSafe ? "thread-safe" : "legacy")
          << "): " << kinds.join(QStringLiteral(", ")) << '\n';
    return ExitOk;
}

int Cli::list(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("list")));
    const QString jsonOption = QStringLiteral("json"), stateOption = QStringLiteral("state");
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("list: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("list: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    JobQuery query;
    for (const QString &name : parser.values(stateOption)) {
        const JobState state = jobStateFromName(name);
        if (state == JobState::Invalid)
            return usageError(QStringLiteral(
                "list: unknown state '%1' (queued, running, paused, succeeded, failed, canceled)")
                                  .arg(name));
        query.states.append(state);
    }
    QList<JobRecord> records;
    auto store = openStore(false);
    if (!store && store.error().code != ErrorCode::NotFound)
        return fail(store.error());
    if (store) {
        auto result = store.value()->query(query);
        if (!result)
            return fail(result.error());
        records = std::move(result.value());
    }
    if (parser.isSet(jsonOption)) {
        QJsonArray array;
        for (const JobRecord &r : std::as_const(records))
            array.append(r.toJson());
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    QList<QStringList> rows { { QStringLiteral("ID"), QStringLiteral("KIND"),
        QStringLiteral("STATE"), QStringLiteral("PROGRESS"), QStringLiteral("ATTEMPTS"),
        QStringLiteral("ENQUEUED"), QStringLiteral("INFO") } };
    for (const JobRecord &r : std::as_const(records)) {
        rows.append({ idString(r.id).left(8), r.kind, stateText(r), progressText(r),
            QStringLiteral("%1/%2").arg(attemptShown(r)).arg(r.maxAttempts),
            formatLocalTime(r.enqueuedAtMs), r.error.isEmpty() ? r.output : r.error });
    }
    printTable(m_out, rows);
    return ExitOk;
}

int Cli::show(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("show")));
    const QString jsonOption = QStringLiteral("json");
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("show: %1").arg(parser.errorText()));
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("show needs exactly one job id"));
    const QString idText = parser.positionalArguments().first();
    auto store = openStore(false);
    if (!store) {
        if (store.error().code == ErrorCode::NotFound)
            return fail(makeError(ErrorCode::NotFound,
                QStringLiteral("no job with id %1 (%2)").arg(idText, store.error().message)));
        return fail(store.error());
    }
    auto id = resolveId(*store.value(), idText);
    if (!id)
        return fail(id.error());
    auto records = store.value()->query(JobQuery { { id.value() }, {}, -1 });
    if (!records)
        return fail(records.error());
    if (records->isEmpty())
        return fail(
            makeError(ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idText)));
    auto events = store.value()->events(id.value());
    if (!events)
        return fail(events.error());
    const JobRecord &r = records->first();
    if (parser.isSet(jsonOption)) {
        QJsonObject object = r.toJson();
        QJsonArray timeline;
        for (const JobEvent &e : std::as_const(events.value()))
            timeline.append(e.toJson());
        object.insert(QStringLiteral("events"), timeline);
        m_out << QJsonDocument(object).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    const QList<QStringList> rows {
        { QStringLiteral("id:"), idString(r.id) },
        { QStringLiteral("kind:"), r.kind },
        { QStringLiteral("state:"), stateText(r) },
        { QStringLiteral("params:"),
            QString::fromUtf8(QJsonDocument(r.params).toJson(QJsonDocument::Compact)) },
        { QStringLiteral("progress:"),
            QStringLiteral("%1 (%2 of %3 %4)")
                .arg(progressText(r))
                .arg(r.progress.done)
                .arg(r.progress.totalKnown() ? QString::number(r.progress.total)
                                             : QStringLiteral("?"),
                    r.progress.unit) },
        { QStringLiteral("attempts:"),
            QStringLiteral("%1 of %2").arg(attemptShown(r)).arg(r.maxAttempts) },
        { QStringLiteral("enqueued:"), formatLocalTime(r.enqueuedAtMs) },
        { QStringLiteral("started:"), formatLocalTime(r.startedAtMs) },
        { QStringLiteral("finished:"), formatLocalTime(r.finishedAtMs) },
        { QStringLiteral("output:"), r.output.isEmpty() ? QStringLiteral("-") : r.output },
        { QStringLiteral("error:"), r.error.isEmpty() ? QStringLiteral("-") : r.error },
    };
    printTable(m_out, rows);
    m_out << "timeline:\n";
    for (const JobEvent &e : std::as_const(events.value())) {
        m_out << "  "
              << QDateTime::fromMSecsSinceEpoch(e.atMs).toString(
                     QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
              << "  #" << e.attempt << "  " << e.event;
        if (!e.detail.isEmpty())
            m_out << ": "
                  << (e.event == QLatin1String("started") ? runneridentity::describeOwner(e.detail)
                                                          : e.detail);
        m_out << '\n';
    }
    return ExitOk;
}

int Cli::jobCommand(JobCommand command, const QStringList &args)
{
    const QString name = jobCommandName(command);
    QCommandLineParser parser;
    addOptions(parser, *findCommand(name));
    const QString queueOption = QStringLiteral("queue");
    const bool queueWide = command == JobCommand::Pause || command == JobCommand::Resume;
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("%1: %2").arg(name, parser.errorText()));
    const QStringList words = parser.positionalArguments();
    if (queueWide && parser.isSet(queueOption)) {
        if (!words.isEmpty())
            return usageError(QStringLiteral("%1 --queue takes no job id").arg(name));
        auto store = openStore(true);
        if (!store)
            return fail(store.error());
        const bool paused = command == JobCommand::Pause;
        if (auto done = store.value()->setQueuePaused(paused, QDateTime::currentMSecsSinceEpoch());
            !done)
            return fail(done.error());
        m_out << (paused ? "queue paused\n" : "queue resumed\n");
        return ExitOk;
    }
    if (words.size() != 1)
        return usageError(QStringLiteral("%1 needs exactly one job id").arg(name));
    auto store = openStore(false);
    if (!store) {
        if (store.error().code == ErrorCode::NotFound)
            return fail(makeError(ErrorCode::NotFound,
                QStringLiteral("no job with id %1 (%2)")
                    .arg(words.first(), store.error().message)));
        return fail(store.error());
    }
    auto id = resolveId(*store.value(), words.first());
    if (!id)
        return fail(id.error());
    // The parts of a split render are one job: the command goes to them all, a line for each.
    auto expanded = jobgroups::withGroups(*store.value(), *m_registry, { id.value() });
    if (!expanded)
        return fail(expanded.error());
    auto results =
        store.value()->commandMany(expanded->ids, command, QDateTime::currentMSecsSinceEpoch());
    if (!results)
        return fail(results.error());
    if (const auto tell = jobgroups::failuresToTell(expanded.value(), results.value());
        !tell.isEmpty())
        return fail(results->at(tell.first()).error());
    for (qsizetype i = 0; i < results->size(); ++i) {
        const Result<CommandResult> &result = results->at(i);
        if (!result)
            continue;
        jobfiles::release(*m_registry, workRoot(), result->record, result->removed);
        if (result->removed)
            m_out << idString(expanded->ids.at(i)) << " removed\n";
        else
            m_out << idString(expanded->ids.at(i)) << ' ' << stateText(result->record) << '\n';
    }
    return ExitOk;
}

int Cli::runQueue(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("run")));
    const QString workersOption = QStringLiteral("workers"),
                  untilEmptyOption = QStringLiteral("until-empty"),
                  gilOption = QStringLiteral("gil"),
                  pluginModeOption = QStringLiteral("plugin-mode"),
                  switchOption = QStringLiteral("switch-interval"),
                  priorityOption = QStringLiteral("priority"),
                  leaseOption = QStringLiteral("lease-ms"), quietOption = QStringLiteral("quiet"),
                  hostCapOption = QStringLiteral("host-cap");
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("run: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("run: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));

    QueueConfig config;
    config.workers = qMax(1, QThread::idealThreadCount());
    if (parser.isSet(workersOption)) {
        bool ok = false;
        config.workers = parser.value(workersOption).toInt(&ok);
        if (!ok || config.workers < 1 || config.workers > 256)
            return usageError(
                QStringLiteral("run: --workers must be a whole number from 1 to 256"));
    }
    if (parser.isSet(gilOption)) {
        const QString gil = parser.value(gilOption);
        if (gil != QLatin1String("on") && gil != QLatin1String("off"))
            return usageError(QStringLiteral("run: --gil must be 'on' or 'off'"));
        PluginHost::instance().setGilMode(gil == QLatin1String("on"));
    }
    if (parser.isSet(pluginModeOption)) {
        QHash<QString, bool> modes;
        const QList<PluginInfo> plugins = PluginHost::instance().plugins();
        for (const QString &value : parser.values(pluginModeOption)) {
            const QString name = value.section(QLatin1Char('='), 0, 0);
            const QString mode = value.section(QLatin1Char('='), 1);
            if (!value.contains(QLatin1Char('='))
                || (mode != QLatin1String("gil") && mode != QLatin1String("process")))
                return usageError(QStringLiteral(
                    "run: --plugin-mode takes PLUGIN=gil or PLUGIN=process, not '%1'")
                                      .arg(value));
            const auto plugin = std::find_if(plugins.cbegin(), plugins.cend(),
                [&name](const PluginInfo &p) { return p.name == name && p.refusal.isEmpty(); });
            if (plugin == plugins.cend())
                return usageError(
                    QStringLiteral("run: no plugin named '%1' here (see spoolctl plugins)")
                        .arg(name));
            if (plugin->threadSafe)
                return usageError(QStringLiteral("run: plugin '%1' is thread-safe: its jobs run "
                                                 "in parallel, with neither the GIL nor a worker "
                                                 "process")
                                      .arg(name));
            modes.insert(name, mode == QLatin1String("gil"));
        }
        PluginHost::instance().setPluginGilModes(modes);
    }
    if (parser.isSet(switchOption)) {
        bool ok = false;
        const int ms = parser.value(switchOption).toInt(&ok);
        if (!ok || ms < 1 || ms > 1000)
            return usageError(QStringLiteral("run: --switch-interval must be from 1 to 1000 (ms)"));
        PluginHost::instance().gil().setSwitchInterval(std::chrono::milliseconds(ms));
    }
    if (parser.isSet(priorityOption)) {
        config.priority = workerPriorityFromName(parser.value(priorityOption));
        if (config.priority == WorkerPriority::Invalid)
            return usageError(QStringLiteral("run: --priority must be low, idle or normal"));
    }
    if (parser.isSet(leaseOption)) {
        bool ok = false;
        config.leaseMs = parser.value(leaseOption).toLongLong(&ok);
        if (!ok || config.leaseMs < 200 || config.leaseMs > 24LL * 3600 * 1000)
            return usageError(QStringLiteral("run: --lease-ms must be from 200 to 86400000"));
        config.heartbeatMs = std::clamp<qint64>(config.leaseMs / 4, 50, 1000);
        config.recoverEveryMs = std::clamp<qint64>(config.leaseMs / 2, 100, 2000);
    }
    if (parser.isSet(hostCapOption)) {
        bool ok = false;
        config.hostCap = parser.value(hostCapOption).toInt(&ok);
        if (!ok || config.hostCap < 0 || config.hostCap > 64)
            return usageError(QStringLiteral("run: --host-cap must be from 0 to 64 (0: no cap)"));
    }
    config.workRoot = workRoot();
    const bool untilEmpty = parser.isSet(untilEmptyOption);
    config.exitsWhenEmpty = untilEmpty;
    const bool quiet = parser.isSet(quietOption);

    auto store = openStore(true);
    if (!store)
        return fail(store.error());

    JobQueueImpl queue(store.value(), m_registry, config);
    bool pausedWarned = false;
    QObject::connect(&queue, &JobQueue::jobFinished, &queue, [&](const JobRecord &r) {
        if (quiet)
            return;
        m_out << QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss.zzz")) << ' '
              << idString(r.id) << ' ' << r.kind << ' ' << jobStateName(r.state);
        if (!r.error.isEmpty())
            m_out << ": " << r.error;
        else if (!r.output.isEmpty())
            m_out << ": " << r.output;
        m_out << Qt::endl;
    });
    // While a shared queue's server is away every request fails the same way: say it once
    // (again after 30 s), not once per request.
    QHash<QString, qint64> storageErrorSaidAtMs; // on sinceStart
    QElapsedTimer sinceStart;
    sinceStart.start();
    // Stopping hands the running jobs back through the store. While the store is unreachable
    // that cannot happen: after a grace period, or at a second signal, the runner leaves anyway
    // and its jobs go back to the queue when their leases expire (nothing is lost).
    bool storageFailing = false;
    int terminations = 0;
    QTimer leaveTimer;
    leaveTimer.setSingleShot(true);
    const auto sayLeftBehind = [&](const QString &jobs) {
        m_err << kProgram << ": stopped without handing back " << jobs
              << "; they go back to the queue when their leases expire" << Qt::endl;
    };
    const auto leaveNow = [&] {
        sayLeftBehind(QStringLiteral("the running jobs"));
        m_out.flush();
        std::_Exit(ExitFailure); // the workers may be blocked on the store: no orderly teardown
    };
    QObject::connect(&leaveTimer, &QTimer::timeout, &queue, leaveNow);
    QObject::connect(&queue, &JobQueue::storageError, &queue, [&](const QString &message) {
        storageFailing = true;
        if (terminations > 0 && !leaveTimer.isActive())
            leaveTimer.start(kLeaveUnreachableAfterMs);
        // Each reason at most every 30 s: the store's connections may fail in turn with
        // different reasons (one cut off, one refused), which a "last reason" would print each
        // time.
        if (const auto it = storageErrorSaidAtMs.constFind(message);
            it != storageErrorSaidAtMs.cend() && sinceStart.elapsed() - *it < 30000)
            return;
        storageErrorSaidAtMs.insert(message, sinceStart.elapsed());
        m_err << kProgram << ": " << message << Qt::endl;
    });
    QObject::connect(&queue, &JobQueue::storageRecovered, &queue, [&] {
        storageFailing = false;
        leaveTimer.stop();
        m_err << kProgram << ": the queue works again (" << queue.location() << ')' << Qt::endl;
        storageErrorSaidAtMs.clear(); // the next outage is news
    });
    QObject::connect(&queue, &JobQueue::countsChanged, &queue, [&](const QueueCounts &counts) {
        if (untilEmpty && counts.active() == 0)
            queue.stop(StopMode::Release);
    });
    QObject::connect(&queue, &JobQueue::queuePausedChanged, &queue, [&](bool paused) {
        if (paused && untilEmpty && !pausedWarned) {
            pausedWarned = true;
            m_err << kProgram << ": the queue is paused; waiting for 'spoolctl resume --queue'"
                  << Qt::endl;
        }
    });
    QEventLoop loop;
    int jobsLeftBehind = 0;
    QObject::connect(&queue, &JobQueue::stopped, &loop, [&](int leftBehind) {
        jobsLeftBehind = leftBehind;
        loop.quit();
    });
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &queue, [&](int) {
        if (++terminations > 1)
            leaveNow();
        // Running jobs go back to the queue and resume on the next run.
        queue.stop(StopMode::Release);
        if (storageFailing)
            leaveTimer.start(kLeaveUnreachableAfterMs);
    });
    queue.start();
    loop.exec();
    PluginHost::instance().saveGilStats(m_dataDir);
    m_out.flush();
    if (jobsLeftBehind > 0) {
        // The queue stopped, but the results of some jobs could not be written (the server went
        // away while they ran): not a clean stop, though nothing is lost.
        sayLeftBehind(QString::number(jobsLeftBehind)
            + (jobsLeftBehind == 1 ? QStringLiteral(" job") : QStringLiteral(" jobs")));
        return ExitFailure;
    }
    return ExitOk;
}

int Cli::gilStats(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("gil-stats")));
    const QString jsonOption = QStringLiteral("json");
    if (!parser.parse(QStringList { kProgram } + args))
        return usageError(QStringLiteral("gil-stats: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("gil-stats: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    QString error;
    const QHash<QString, Gil::Stats> all = PluginHost::loadGilStats(m_dataDir, &error);
    if (!error.isEmpty())
        return fail(makeError(ErrorCode::Storage, error));
    QStringList names = all.keys();
    names.sort();
    if (parser.isSet(jsonOption)) {
        QJsonObject out;
        for (const QString &name : std::as_const(names)) {
            const Gil::Stats &s = all.value(name);
            out.insert(name,
                QJsonObject { { QStringLiteral("acquisitions"), qint64(s.acquisitions) },
                    { QStringLiteral("handoffs"), qint64(s.handoffs) },
                    { QStringLiteral("ioReturns"), qint64(s.ioReturns) },
                    { QStringLiteral("waitP50Us"),
                        qint64(Gil::Stats::percentileUs(s.waitUs, 0.5)) },
                    { QStringLiteral("waitP99Us"),
                        qint64(Gil::Stats::percentileUs(s.waitUs, 0.99)) },
                    { QStringLiteral("waitMaxUs"), qint64(s.maxWaitUs) },
                    { QStringLiteral("holdP50Us"),
                        qint64(Gil::Stats::percentileUs(s.holdUs, 0.5)) },
                    { QStringLiteral("holdP99Us"),
                        qint64(Gil::Stats::percentileUs(s.holdUs, 0.99)) },
                    { QStringLiteral("holdMaxUs"), qint64(s.maxHoldUs) } });
        }
        m_out << QJsonDocument(out).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    if (names.isEmpty()) {
        m_out << "no legacy plugin job has run under the GIL here yet\n";
        return ExitOk;
    }
    m_out << "PLUGIN        ACQUIRED  HANDOFFS  IO-FIRST  WAIT p50/p99/max (us)   HOLD p50/p99/max "
             "(us)\n";
    for (const QString &name : std::as_const(names)) {
        const Gil::Stats &s = all.value(name);
        m_out << name.leftJustified(13) << ' ' << QString::number(s.acquisitions).rightJustified(8)
              << "  " << QString::number(s.handoffs).rightJustified(8) << "  "
              << QString::number(s.ioReturns).rightJustified(8) << "  "
              << QStringLiteral("%1/%2/%3")
                     .arg(std::min(Gil::Stats::percentileUs(s.waitUs, 0.5), s.maxWaitUs))
                     .arg(std::min(Gil::Stats::percentileUs(s.waitUs, 0.99), s.maxWaitUs))
                     .arg(s.maxWaitUs)
                     .leftJustified(22)
              << "  "
              << QStringLiteral("%1/%2/%3")
                     .arg(std::min(Gil::Stats::percentileUs(s.holdUs, 0.5), s.maxHoldUs))
                     .arg(std::min(Gil::Stats::percentileUs(s.holdUs, 0.99), s.maxHoldUs))
                     .arg(s.maxHoldUs)
              << '\n';
    }
    m_out << "(percentiles are histogram bucket bounds, powers of two, capped at the maximum)\n";
    return ExitOk;
}

} // namespace spool::ctl
