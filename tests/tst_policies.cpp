// Retry backoff, admission policies, progress rate and parameter schemas: the small rules.
#include <optional>

#include <QJsonArray>
#include <QTest>

#include "job/jobkindregistry.h"
#include "progress/progressrate.h"
#include "queue/admissionpolicy.h"
#include "queue/retrypolicy.h"

using namespace spool;

Q_DECLARE_METATYPE(spool::Admission)

class TestPolicies : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backoffBands_data();
    void backoffBands();
    void backoffJitterSpreads();
    void admission_data();
    void admission();
    void claimsReadOnlyTheRunningKindsPoliciesCount();
    void runningSetKeepsOnlyCountedKinds();
    void progressRate();
    void progressRateRestart();
    void paramValidation_data();
    void paramValidation();
    void registryRefusesDuplicates();
    void registryLookupsAreTheirRegistrys();
};

void TestPolicies::backoffBands_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("ceiling");
    // base 1 s, factor 2, cap 60 s
    QTest::newRow("first failure") << 1 << qint64(1000);
    QTest::newRow("second") << 2 << qint64(2000);
    QTest::newRow("third") << 3 << qint64(4000);
    QTest::newRow("sixth") << 6 << qint64(32000);
    QTest::newRow("capped") << 7 << qint64(60000);
    QTest::newRow("far past the cap") << 40 << qint64(60000);
}

void TestPolicies::backoffBands()
{
    QFETCH(int, failures);
    QFETCH(qint64, ceiling);
    RetryPolicy policy;
    policy.baseDelayMs = 1000;
    policy.maxDelayMs = 60000;
    QCOMPARE(policy.ceilingMs(failures), ceiling);
    // Equal jitter: never sooner than half the ceiling, never later than the ceiling.
    QCOMPARE(policy.delayMs(failures, 0.0), ceiling / 2);
    QVERIFY(policy.delayMs(failures, 0.999999) <= ceiling);
    QVERIFY(policy.delayMs(failures, 0.999999) >= ceiling - 1);
    QCOMPARE(policy.delayMs(failures, 0.5), ceiling / 2 + ceiling / 4);
}

void TestPolicies::backoffJitterSpreads()
{
    // Jobs failing together must not come back together.
    RetryPolicy policy;
    QSet<qint64> delays;
    for (int i = 0; i < 100; ++i)
        delays.insert(policy.delayMs(3, i / 100.0));
    QVERIFY(delays.size() > 90);
}

void TestPolicies::admission_data()
{
    QTest::addColumn<int>("runningA");
    QTest::addColumn<int>("runningB");
    QTest::addColumn<QString>("candidateKind");
    QTest::addColumn<Admission>("verdict");
    // workers 3, cap a=1
    QTest::newRow("room for a") << 0 << 1 << QStringLiteral("a") << Admission::Admit;
    QTest::newRow("a at its cap") << 1 << 0 << QStringLiteral("a") << Admission::SkipKind;
    QTest::newRow("b has no cap") << 1 << 1 << QStringLiteral("b") << Admission::Admit;
    QTest::newRow("workers full") << 1 << 2 << QStringLiteral("b") << Admission::Stop;
    QTest::newRow("full beats cap") << 1 << 2 << QStringLiteral("a") << Admission::Stop;
}

void TestPolicies::admission()
{
    QFETCH(int, runningA);
    QFETCH(int, runningB);
    QFETCH(QString, candidateKind);
    QFETCH(Admission, verdict);
    const QList<std::shared_ptr<AdmissionPolicy>> policies {
        std::make_shared<KindCapPolicy>(QHash<QString, int> { { QStringLiteral("a"), 1 } }),
        std::make_shared<WorkerLimitPolicy>(3),
    };
    RunningSet running;
    JobRecord r;
    for (int i = 0; i < runningA; ++i) {
        r.kind = QStringLiteral("a");
        running.add(r);
    }
    for (int i = 0; i < runningB; ++i) {
        r.kind = QStringLiteral("b");
        running.add(r);
    }
    JobRecord candidate;
    candidate.kind = candidateKind;
    QCOMPARE(admitAll(policies, candidate, running), verdict);
}

void TestPolicies::claimsReadOnlyTheRunningKindsPoliciesCount()
{
    auto registry = std::make_shared<JobKindRegistry>();
    for (const char *name : { "download", "busy", "render" }) {
        JobKind kind;
        kind.name = QString::fromLatin1(name);
        kind.create = [] { return std::unique_ptr<Job>(); };
        if (kind.name == QLatin1String("download"))
            kind.host = [](const QJsonObject &) { return QStringLiteral("example.org"); };
        QVERIFY(registry->add(kind).ok());
    }
    QList<std::shared_ptr<AdmissionPolicy>> policies {
        std::make_shared<KnownKindPolicy>(registry),
        std::make_shared<RunsOnPolicy>(registry, QStringLiteral("here")),
        std::make_shared<WorkerLimitPolicy>(3),
        std::make_shared<KindCapPolicy>(
            QHash<QString, int> { { QStringLiteral("render"), 1 }, { QStringLiteral("busy"), 0 } }),
        std::make_shared<HostCapPolicy>(registry, 2, nullptr),
    };
    QCOMPARE(countedKinds(policies),
        (QStringList { QStringLiteral("download"), QStringLiteral("render") }));

    // Without a per-host cap, running downloads of other runners do not matter.
    policies.last() = std::make_shared<HostCapPolicy>(registry, 0, nullptr);
    QCOMPARE(countedKinds(policies), QStringList { QStringLiteral("render") });

    // A policy that does not say what it counts may count any running job.
    class Counts final : public AdmissionPolicy
    {
    public:
        QString name() const override { return QStringLiteral("counts"); }
        Admission admit(const JobRecord &, const RunningSet &running) const override
        {
            return running.jobs().size() > 5 ? Admission::Stop : Admission::Admit;
        }
    };
    policies.append(std::make_shared<Counts>());
    QCOMPARE(countedKinds(policies), std::nullopt);
}

void TestPolicies::runningSetKeepsOnlyCountedKinds()
{
    const auto job = [](const char *kind) {
        JobRecord r;
        r.id = QUuid::createUuid();
        r.kind = QString::fromLatin1(kind);
        return r;
    };
    RunningSet running(QStringList { QStringLiteral("download") });
    const JobRecord mine = job("download");
    running.add(mine);
    running.add(job("busy"));
    running.addFromStore(mine); // this runner's, as the store shows it: counted once
    running.addFromStore(job("download"));
    running.addFromStore(job("render"));
    QCOMPARE(running.mine(), 2);
    QCOMPARE(running.countOfKind(QStringLiteral("download")), 2);
    QCOMPARE(running.jobs().size(), 2);
    for (const JobRecord &r : running.jobs())
        QCOMPARE(r.kind, QStringLiteral("download"));

    RunningSet all; // no policy said what it counts: every kind
    all.add(job("busy"));
    all.addFromStore(job("render"));
    QCOMPARE(all.mine(), 1);
    QCOMPARE(all.jobs().size(), 2);
    QCOMPARE(all.countOfKind(QStringLiteral("render")), 1);
}

void TestPolicies::progressRate()
{
    ProgressRate rate(1000);
    QCOMPARE(rate.ratePerSecond(), -1.0);
    QCOMPARE(rate.etaMs(0, 1000), qint64(-1));
    // 2000 units per second, sampled every 33 ms with bursty delivery.
    qint64 done = 0;
    for (qint64 t = 0; t <= 5000; t += 33) {
        done = t * 2 + ((t / 33) % 2 ? 20 : 0);
        rate.addSample(t, done);
    }
    QVERIFY2(qAbs(rate.ratePerSecond() - 2000.0) < 100.0,
        qPrintable(QString::number(rate.ratePerSecond())));
    const qint64 eta = rate.etaMs(done, done + 10000);
    QVERIFY2(eta > 4500 && eta < 5500, qPrintable(QString::number(eta)));
    QCOMPARE(rate.etaMs(5, -1), qint64(-1)); // unknown total: unknown ETA
    QCOMPARE(rate.etaMs(10, 10), qint64(0));
    // A stall: speed falls towards zero, ETA grows.
    for (qint64 t = 5033; t <= 9000; t += 500)
        rate.addSample(t, done);
    QVERIFY(rate.ratePerSecond() < 200.0);
    QVERIFY(rate.etaMs(done, done + 10000) > 50000);
    // A long stall: the speed all but stops, and the ETA of a big remainder is "never", not the
    // undefined conversion of a double past what a qint64 holds (it came out negative).
    for (qint64 t = 9500; t <= 400'000; t += 500)
        rate.addSample(t, done);
    QVERIFY(rate.ratePerSecond() > 0.0);
    QCOMPARE(rate.etaMs(done, done + 1'000'000'000), ProgressRate::kNeverMs);
    QCOMPARE(ProgressRate::etaFromRate(1e9, 1e-60), ProgressRate::kNeverMs);
    QCOMPARE(ProgressRate::etaFromRate(3000, 1000), qint64(3000));
}

void TestPolicies::progressRateRestart()
{
    ProgressRate rate;
    rate.addSample(0, 0);
    rate.addSample(1000, 5000);
    QVERIFY(rate.ratePerSecond() > 0);
    rate.addSample(2000, 10); // the server refused to resume: the job started over
    QCOMPARE(rate.ratePerSecond(), -1.0);
    rate.addSample(3000, 1010);
    QCOMPARE(rate.ratePerSecond(), 1000.0);
}

void TestPolicies::paramValidation_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("ok") << QJsonObject { { QStringLiteral("ms"), 5 } } << true << QString();
    QTest::newRow("default filled")
        << QJsonObject { { QStringLiteral("ms"), 5 } } << true << QString();
    QTest::newRow("missing") << QJsonObject {} << false << QStringLiteral("needs parameter 'ms'");
    QTest::newRow("string") << QJsonObject { { QStringLiteral("ms"), QStringLiteral("5") } }
                            << false << QStringLiteral("whole number");
    QTest::newRow("fraction") << QJsonObject { { QStringLiteral("ms"), 1.5 } } << false
                              << QStringLiteral("whole number");
    QTest::newRow("too small") << QJsonObject { { QStringLiteral("ms"), 0 } } << false
                               << QStringLiteral("between 1 and 1000");
    QTest::newRow("too big") << QJsonObject { { QStringLiteral("ms"), 1001 } } << false
                             << QStringLiteral("between 1 and 1000");
    QTest::newRow("unknown") << QJsonObject { { QStringLiteral("ms"), 5 },
        { QStringLiteral("x"), 1 } }
                             << false << QStringLiteral("no parameter 'x'");
    QTest::newRow("bad list") << QJsonObject { { QStringLiteral("ms"), 5 },
        { QStringLiteral("tags"), QJsonArray { 1 } } }
                              << false << QStringLiteral("list of strings");
}

void TestPolicies::paramValidation()
{
    QFETCH(QJsonObject, params);
    QFETCH(bool, valid);
    QFETCH(QString, messagePart);
    JobKindRegistry registry;
    JobKind kind;
    kind.name = QStringLiteral("k");
    ParamSpec ms;
    ms.name = QStringLiteral("ms");
    ms.type = ParamType::Integer;
    ms.required = true;
    ms.minimum = 1;
    ms.maximum = 1000;
    ParamSpec tags;
    tags.name = QStringLiteral("tags");
    tags.type = ParamType::StringList;
    ParamSpec label;
    label.name = QStringLiteral("label");
    label.type = ParamType::String;
    label.defaultValue = QStringLiteral("none");
    kind.params = { ms, tags, label };
    kind.create = [] { return std::unique_ptr<Job>(); };
    QVERIFY(registry.add(kind).ok());

    auto result = registry.validate(QStringLiteral("k"), params);
    QVERIFY2(result.ok() == valid, result.ok() ? "valid" : qPrintable(result.error().message));
    if (valid) {
        QCOMPARE(result->value(QStringLiteral("label")).toString(), QStringLiteral("none"));
        QCOMPARE(result->value(QStringLiteral("ms")).toInteger(),
            params.value(QStringLiteral("ms")).toInteger());
    } else {
        QVERIFY2(result.error().message.contains(messagePart), qPrintable(result.error().message));
        QCOMPARE(result.error().code, ErrorCode::InvalidInput);
    }
    auto unknown = registry.validate(QStringLiteral("download"), params);
    QVERIFY(!unknown.ok());
    QVERIFY(unknown.error().message.contains(QLatin1String("unknown kind 'download'")));
}

void TestPolicies::registryRefusesDuplicates()
{
    JobKindRegistry registry;
    JobKind kind;
    kind.name = QStringLiteral("k");
    kind.create = [] { return std::unique_ptr<Job>(); };
    QVERIFY(registry.add(kind).ok());
    const auto again = registry.add(kind);
    QVERIFY(!again.ok());
    QVERIFY(again.error().message.contains(QLatin1String("already")));
    QCOMPARE(registry.names(), QStringList { QStringLiteral("k") });
}

// Each thread remembers its last lookups: a kind found in one registry is never the answer
// of another (a new one at the same address included), and a kind not found yet is found once
// it is added.
void TestPolicies::registryLookupsAreTheirRegistrys()
{
    const auto kindNamed = [](const QString &name, const QString &description) {
        JobKind kind;
        kind.name = name;
        kind.description = description;
        kind.create = [] { return std::unique_ptr<Job>(); };
        return kind;
    };
    const QString k = QStringLiteral("k");
    std::optional<JobKindRegistry> first;
    first.emplace();
    QVERIFY(first->add(kindNamed(k, QStringLiteral("first"))).ok());
    QCOMPARE(first->find(k)->description, QStringLiteral("first"));
    JobKindRegistry second;
    QCOMPARE(second.find(k), nullptr);
    QVERIFY(second.add(kindNamed(k, QStringLiteral("second"))).ok());
    QCOMPARE(second.find(k)->description, QStringLiteral("second"));
    QCOMPARE(first->find(k)->description, QStringLiteral("first"));
    first.reset();
    JobKindRegistry &third = first.emplace(); // at the first one's address
    QCOMPARE(third.find(k), nullptr);
    // More kinds than a thread remembers: each is still its own.
    for (int i = 0; i < 10; ++i)
        QVERIFY(third.add(kindNamed(QString::number(i), QString::number(i * 7))).ok());
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 10; ++i)
            QCOMPARE(third.find(QString::number(i))->description, QString::number(i * 7));
    }
}

QTEST_GUILESS_MAIN(TestPolicies)
#include "tst_policies.moc"
