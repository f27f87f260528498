// The lifecycle rules of design.md, as pure functions shared by every store.
#include <QTest>

#include "job/jobtransitions.h"
#include "util/runneridentity.h"

using namespace spool;

Q_DECLARE_METATYPE(spool::JobCommand)
Q_DECLARE_METATYPE(spool::JobControl)
Q_DECLARE_METATYPE(spool::ErrorCode)

namespace {

constexpr qint64 kNow = 1'800'000'000'000;

JobRecord recordIn(JobState state, JobControl control = JobControl::None)
{
    JobRecord r;
    r.id = QUuid::createUuid();
    r.kind = QStringLiteral("busy");
    r.seq = 7;
    r.state = state;
    r.control = control;
    r.attempts = state == JobState::Queued ? 0 : 1;
    r.maxAttempts = 3;
    r.leaseToken = 4;
    r.leaseOwner = state == JobState::Running ? QStringLiteral("elsewhere|1|1|x") : QString();
    r.leaseExpiresAtMs = state == JobState::Running ? kNow + 1000 : 0;
    r.error = state == JobState::Failed ? QStringLiteral("boom") : QString();
    return r;
}

Completion completionFor(const JobRecord &r, RunStatus status)
{
    Completion c;
    c.id = r.id;
    c.leaseToken = r.leaseToken;
    c.status = status;
    c.progress = Progress { 40, 100, QStringLiteral("ms") };
    return c;
}

} // namespace

class TestTransitions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void commands_data();
    void commands();
    void retryGoesToTheBackOfTheQueue();
    void claimCountsTheAttemptAndFences();
    void rowTellsItsEnqueuedAndSucceeded();
    void complete_data();
    void complete();
    void staleRunnerIsRefused();
    void leaseThatRanOutSendsTheJobBack();
    void recover_data();
    void recover();
    void deadRunnerOfThisProcessIsRecoveredAtOnce();
    void failedAttemptLeavesTheJobToOtherMachinesFirst();
};

void TestTransitions::commands_data()
{
    QTest::addColumn<JobState>("state");
    QTest::addColumn<JobControl>("control");
    QTest::addColumn<JobCommand>("command");
    QTest::addColumn<ErrorCode>("error");
    QTest::addColumn<JobState>("newState");
    QTest::addColumn<JobControl>("newControl");
    QTest::addColumn<bool>("deleted");

    using S = JobState;
    using C = JobControl;
    using K = JobCommand;
    const auto none = ErrorCode::None;
    const auto bad = ErrorCode::InvalidState;
    // clang-format off
    QTest::newRow("queued cancel")      << S::Queued    << C::None  << K::Cancel << none << S::Canceled << C::None   << false;
    QTest::newRow("queued pause")       << S::Queued    << C::None  << K::Pause  << none << S::Paused   << C::None   << false;
    QTest::newRow("queued resume")      << S::Queued    << C::None  << K::Resume << none << S::Queued   << C::None   << false;
    QTest::newRow("queued retry")       << S::Queued    << C::None  << K::Retry  << bad  << S::Queued   << C::None   << false;
    QTest::newRow("queued remove")      << S::Queued    << C::None  << K::Remove << none << S::Queued   << C::None   << true;
    QTest::newRow("running cancel")     << S::Running   << C::None  << K::Cancel << none << S::Running  << C::Cancel << false;
    QTest::newRow("running pause")      << S::Running   << C::None  << K::Pause  << none << S::Running  << C::Pause  << false;
    QTest::newRow("running resume")     << S::Running   << C::None  << K::Resume << none << S::Running  << C::None   << false;
    QTest::newRow("running unpause")    << S::Running   << C::Pause << K::Resume << none << S::Running  << C::None   << false;
    QTest::newRow("running retry")      << S::Running   << C::None  << K::Retry  << bad  << S::Running  << C::None   << false;
    QTest::newRow("running remove")     << S::Running   << C::None  << K::Remove << none << S::Running  << C::Remove << false;
    QTest::newRow("pausing cancel")     << S::Running   << C::Pause << K::Cancel << none << S::Running  << C::Cancel << false;
    QTest::newRow("paused cancel")      << S::Paused    << C::None  << K::Cancel << none << S::Canceled << C::None   << false;
    QTest::newRow("paused pause")       << S::Paused    << C::None  << K::Pause  << none << S::Paused   << C::None   << false;
    QTest::newRow("paused resume")      << S::Paused    << C::None  << K::Resume << none << S::Queued   << C::None   << false;
    QTest::newRow("paused retry")       << S::Paused    << C::None  << K::Retry  << bad  << S::Paused   << C::None   << false;
    QTest::newRow("paused remove")      << S::Paused    << C::None  << K::Remove << none << S::Paused   << C::None   << true;
    QTest::newRow("succeeded cancel")   << S::Succeeded << C::None  << K::Cancel << bad  << S::Succeeded << C::None  << false;
    QTest::newRow("succeeded pause")    << S::Succeeded << C::None  << K::Pause  << bad  << S::Succeeded << C::None  << false;
    QTest::newRow("succeeded resume")   << S::Succeeded << C::None  << K::Resume << bad  << S::Succeeded << C::None  << false;
    QTest::newRow("succeeded retry")    << S::Succeeded << C::None  << K::Retry  << bad  << S::Succeeded << C::None  << false;
    QTest::newRow("succeeded remove")   << S::Succeeded << C::None  << K::Remove << none << S::Succeeded << C::None  << true;
    QTest::newRow("failed cancel")      << S::Failed    << C::None  << K::Cancel << bad  << S::Failed   << C::None   << false;
    QTest::newRow("failed resume")      << S::Failed    << C::None  << K::Resume << bad  << S::Failed   << C::None   << false;
    QTest::newRow("failed retry")       << S::Failed    << C::None  << K::Retry  << none << S::Queued   << C::None   << false;
    QTest::newRow("failed remove")      << S::Failed    << C::None  << K::Remove << none << S::Failed   << C::None   << true;
    QTest::newRow("canceled cancel")    << S::Canceled  << C::None  << K::Cancel << none << S::Canceled << C::None   << false;
    QTest::newRow("canceled retry")     << S::Canceled  << C::None  << K::Retry  << none << S::Queued   << C::None   << false;
    QTest::newRow("canceled pause")     << S::Canceled  << C::None  << K::Pause  << bad  << S::Canceled << C::None   << false;
    // Forget (retention): finished jobs only; a job retried meanwhile stays.
    QTest::newRow("queued forget")      << S::Queued    << C::None  << K::Forget << bad  << S::Queued   << C::None   << false;
    QTest::newRow("running forget")     << S::Running   << C::None  << K::Forget << bad  << S::Running  << C::None   << false;
    QTest::newRow("paused forget")      << S::Paused    << C::None  << K::Forget << bad  << S::Paused   << C::None   << false;
    QTest::newRow("succeeded forget")   << S::Succeeded << C::None  << K::Forget << none << S::Succeeded << C::None  << true;
    QTest::newRow("failed forget")      << S::Failed    << C::None  << K::Forget << none << S::Failed   << C::None   << true;
    QTest::newRow("canceled forget")    << S::Canceled  << C::None  << K::Forget << none << S::Canceled << C::None   << true;
    // clang-format on
}

void TestTransitions::commands()
{
    QFETCH(JobState, state);
    QFETCH(JobControl, control);
    QFETCH(JobCommand, command);
    QFETCH(ErrorCode, error);
    QFETCH(JobState, newState);
    QFETCH(JobControl, newControl);
    QFETCH(bool, deleted);

    JobRecord r = recordIn(state, control);
    const auto outcome = transitions::applyCommand(r, command, kNow, [] { return 100; });
    QCOMPARE(outcome.error.code, error);
    if (error != ErrorCode::None)
        QVERIFY2(!outcome.error.message.isEmpty(), "a refusal says why");
    QCOMPARE(outcome.deleteRecord, deleted);
    if (deleted)
        return;
    QCOMPARE(r.state, newState);
    QCOMPARE(r.control, newControl);
    if (isFinishedState(newState) && newState != state)
        QCOMPARE(r.finishedAtMs, kNow);
    QCOMPARE(outcome.changed, r.state != state || r.control != control);
    if (outcome.changed)
        QVERIFY2(!outcome.events.isEmpty(), "every change is in the timeline");
}

void TestTransitions::retryGoesToTheBackOfTheQueue()
{
    JobRecord r = recordIn(JobState::Failed);
    r.attempts = 3;
    r.output = QStringLiteral("/tmp/x");
    const auto outcome = transitions::applyCommand(r, JobCommand::Retry, kNow, [] { return 42; });
    QVERIFY(outcome.changed);
    QCOMPARE(r.state, JobState::Queued);
    QCOMPARE(r.seq, 42);
    QCOMPARE(r.attempts, 0);
    QVERIFY(r.error.isEmpty());
    QVERIFY(r.output.isEmpty());
    QCOMPARE(r.finishedAtMs, 0);
}

void TestTransitions::claimCountsTheAttemptAndFences()
{
    JobRecord r = recordIn(JobState::Queued);
    const qint64 oldToken = r.leaseToken;
    const auto outcome = transitions::claim(r, QStringLiteral("me|1|1|x"), kNow, 5000);
    QVERIFY(!outcome.error.isError());
    QCOMPARE(r.state, JobState::Running);
    QCOMPARE(r.attempts, 1);
    QCOMPARE(r.leaseToken, oldToken + 1);
    QCOMPARE(r.leaseExpiresAtMs, kNow + 5000);
    QCOMPARE(r.startedAtMs, kNow);
    QCOMPARE(outcome.events.first().event, QStringLiteral("started"));
    // A running job cannot be claimed twice.
    QCOMPARE(transitions::claim(r, QStringLiteral("other|1|1|y"), kNow, 5000).error.code,
        ErrorCode::InvalidState);
}

// A plain job that succeeds stores only its "started": the row tells its "enqueued" and its
// "succeeded", and timeline() puts them back where they were, with their times and attempts.
void TestTransitions::rowTellsItsEnqueuedAndSucceeded()
{
    NewJob job;
    job.id = QUuid::createUuid();
    job.kind = QStringLiteral("busy");
    JobRecord r = transitions::newRecord(job, 1, kNow);
    QCOMPARE(r.enqueuedAtMs, kNow);
    QList<JobEvent> stored =
        transitions::claim(r, QStringLiteral("me|1|1|x"), kNow + 1, 5000).events;
    Completion c = completionFor(r, RunStatus::Succeeded);
    c.output = QStringLiteral("/out/a.png");
    c.logLines = { QStringLiteral("a line") };
    const auto outcome = transitions::complete(r, c, kNow + 2);
    QVERIFY(outcome.changed);
    stored += outcome.events;
    QCOMPARE(stored.size(), 2); // started, the log line

    const auto all = transitions::timeline(r, transitions::DerivedAll, stored);
    QCOMPARE(all.size(), 4);
    const auto check = [&](qsizetype i, qint64 at, int attempt, const char *name,
                           const QString &detail) {
        QCOMPARE(all.at(i).atMs, at);
        QCOMPARE(all.at(i).attempt, attempt);
        QCOMPARE(all.at(i).event, QLatin1String(name));
        QCOMPARE(all.at(i).detail, detail);
    };
    check(0, kNow, 0, "enqueued", {});
    check(1, kNow + 1, 1, "started", QStringLiteral("me|1|1|x"));
    check(2, kNow + 2, 1, "log", QStringLiteral("a line"));
    check(3, kNow + 2, 1, "succeeded", QStringLiteral("/out/a.png"));

    // A row that stored both (written before, or imported) gets neither again; one not
    // succeeded derives no "succeeded".
    const auto kept = transitions::timeline(r, transitions::DerivedNone, stored);
    QCOMPARE(kept.size(), 2);
    QCOMPARE(kept.at(0).event, QStringLiteral("started"));
    QCOMPARE(kept.at(1).event, QStringLiteral("log"));
    QCOMPARE(transitions::derivedForImported(r), int(transitions::DerivedNone));
    JobRecord failed = recordIn(JobState::Failed);
    QCOMPARE(transitions::derivedForImported(failed), int(transitions::DerivedSucceeded));
    QVERIFY(transitions::timeline(failed, transitions::DerivedSucceeded, {}).isEmpty());
}

// A job that gave up because it could not tell its lease held, when nobody took it over: back to
// the queue, the attempt counted (a job that always ends so must end); a user's stop still wins.
void TestTransitions::leaseThatRanOutSendsTheJobBack()
{
    const QString reason = QStringLiteral("the runner was late renewing the job's lease");
    const auto ranOut = [&](JobRecord &r) {
        Completion c = completionFor(r, RunStatus::Stopped);
        c.leaseRanOut = true;
        c.error = reason;
        return transitions::complete(r, c, kNow);
    };
    JobRecord again = recordIn(JobState::Running);
    auto outcome = ranOut(again);
    QVERIFY(!outcome.error.isError());
    QCOMPARE(again.state, JobState::Queued);
    QCOMPARE(again.attempts, 1);
    QCOMPARE(again.notBeforeMs, 0);
    QVERIFY(again.leaseOwner.isEmpty());
    QVERIFY(again.avoidHost.isEmpty()); // nothing against the machine
    QCOMPARE(outcome.events.last().event, QStringLiteral("released"));
    QCOMPARE(outcome.events.last().detail, reason);

    JobRecord last = recordIn(JobState::Running);
    last.attempts = last.maxAttempts;
    QVERIFY(!ranOut(last).error.isError());
    QCOMPARE(last.state, JobState::Failed);
    QCOMPARE(last.error, reason + QStringLiteral(" (after 3 attempts)"));

    JobRecord canceled = recordIn(JobState::Running, JobControl::Cancel);
    QVERIFY(!ranOut(canceled).error.isError());
    QCOMPARE(canceled.state, JobState::Canceled);
}

void TestTransitions::complete_data()
{
    QTest::addColumn<JobControl>("control");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<bool>("interrupted");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<JobState>("newState");
    QTest::addColumn<int>("newAttempts");
    QTest::addColumn<bool>("deleted");

    const int ok = int(RunStatus::Succeeded);
    const int failed = int(RunStatus::Failed);
    const int stopped = int(RunStatus::Stopped);
    using S = JobState;
    using C = JobControl;
    // clang-format off
    QTest::newRow("success")                 << C::None   << ok      << false << false << 1 << S::Succeeded << 1 << false;
    QTest::newRow("failure, retry left")     << C::None   << failed  << true  << false << 1 << S::Queued    << 1 << false;
    QTest::newRow("failure, last attempt")   << C::None   << failed  << true  << false << 3 << S::Failed    << 3 << false;
    QTest::newRow("failure, not retryable")  << C::None   << failed  << false << false << 1 << S::Failed    << 1 << false;
    QTest::newRow("stopped for cancel")      << C::Cancel << stopped << false << true  << 1 << S::Canceled  << 1 << false;
    QTest::newRow("stopped for pause")       << C::Pause  << stopped << false << true  << 2 << S::Paused    << 1 << false;
    QTest::newRow("stopped for remove")      << C::Remove << stopped << false << true  << 1 << S::Running   << 1 << true;
    QTest::newRow("interrupted by runner")   << C::None   << stopped << false << true  << 2 << S::Queued    << 1 << false;
    QTest::newRow("stopped unasked")         << C::None   << stopped << false << false << 1 << S::Failed    << 1 << false;
    QTest::newRow("failed while canceling")  << C::Cancel << failed  << true  << false << 1 << S::Canceled  << 1 << false;
    QTest::newRow("succeeded while pausing") << C::Pause  << ok      << false << false << 1 << S::Succeeded << 1 << false;
    QTest::newRow("succeeded while removing")<< C::Remove << ok      << false << false << 1 << S::Running   << 1 << true;
    // clang-format on
}

void TestTransitions::complete()
{
    QFETCH(JobControl, control);
    QFETCH(int, status);
    QFETCH(bool, retryable);
    QFETCH(bool, interrupted);
    QFETCH(int, attempts);
    QFETCH(JobState, newState);
    QFETCH(int, newAttempts);
    QFETCH(bool, deleted);

    JobRecord r = recordIn(JobState::Running, control);
    r.attempts = attempts;
    Completion c = completionFor(r, static_cast<RunStatus>(status));
    c.retryable = retryable;
    c.interrupted = interrupted;
    c.retryDelayMs = 1500;
    c.error = status == int(RunStatus::Failed) ? QStringLiteral("disk on fire") : QString();
    if (interrupted && control == JobControl::None)
        c.error = QStringLiteral("the queue was paused"); // the reason, not an error
    c.output = status == int(RunStatus::Succeeded) ? QStringLiteral("/out.png") : QString();

    const auto outcome = transitions::complete(r, c, kNow);
    QVERIFY(!outcome.error.isError());
    QCOMPARE(outcome.deleteRecord, deleted);
    if (deleted)
        return;
    QCOMPARE(r.state, newState);
    QCOMPARE(r.attempts, newAttempts);
    QVERIFY2(
        r.leaseOwner.isEmpty() && r.control == JobControl::None, "a finished run holds no lease");
    QCOMPARE(r.progress.done, newState == JobState::Succeeded ? 100 : 40);
    if (interrupted && newState == JobState::Queued)
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error)); // a requeue for a pause is no error
    if (newState == JobState::Queued && status == int(RunStatus::Failed)) {
        QCOMPARE(r.notBeforeMs, kNow + 1500);
        QCOMPARE(r.error, QStringLiteral("disk on fire"));
    }
    if (newState == JobState::Failed) {
        QVERIFY(!r.error.isEmpty());
        QCOMPARE(r.finishedAtMs, kNow);
    }
    if (newState == JobState::Succeeded)
        QCOMPARE(r.output, QStringLiteral("/out.png"));
}

void TestTransitions::staleRunnerIsRefused()
{
    JobRecord r = recordIn(JobState::Running);
    Completion c = completionFor(r, RunStatus::Succeeded);
    c.leaseToken = r.leaseToken - 1; // an older claim of the same job
    const JobRecord before = r;
    const auto outcome = transitions::complete(r, c, kNow);
    QCOMPARE(outcome.error.code, ErrorCode::LeaseLost);
    QCOMPARE(r.state, before.state);
    QCOMPARE(r.leaseToken, before.leaseToken);

    LeaseStatus status;
    Heartbeat beat { r.id, r.leaseToken - 1, false, {}, {} };
    QCOMPARE(transitions::heartbeat(r, beat, kNow, 1000, &status).error.code, ErrorCode::LeaseLost);
    QVERIFY(!status.held);
}

void TestTransitions::recover_data()
{
    QTest::addColumn<JobControl>("control");
    QTest::addColumn<int>("attempts");
    QTest::addColumn<JobState>("newState");
    QTest::addColumn<bool>("deleted");
    QTest::newRow("attempts left") << JobControl::None << 1 << JobState::Queued << false;
    QTest::newRow("out of attempts") << JobControl::None << 3 << JobState::Failed << false;
    QTest::newRow("was canceling") << JobControl::Cancel << 1 << JobState::Canceled << false;
    QTest::newRow("was pausing") << JobControl::Pause << 1 << JobState::Paused << false;
    QTest::newRow("was removing") << JobControl::Remove << 1 << JobState::Running << true;
}

void TestTransitions::recover()
{
    QFETCH(JobControl, control);
    QFETCH(int, attempts);
    QFETCH(JobState, newState);
    QFETCH(bool, deleted);
    JobRecord r = recordIn(JobState::Running, control);
    r.attempts = attempts;

    QString reason;
    QVERIFY2(!transitions::needsRecovery(r, kNow, &reason),
        "a live lease on another host is left alone");
    QVERIFY(transitions::needsRecovery(r, r.leaseExpiresAtMs + 1, &reason));
    QVERIFY(reason.contains(QLatin1String("lease")));

    const auto outcome = transitions::recover(r, r.leaseExpiresAtMs + 1, reason);
    QCOMPARE(outcome.deleteRecord, deleted);
    if (deleted)
        return;
    QCOMPARE(r.state, newState);
    QCOMPARE(r.attempts, attempts); // the attempt that died counts
    QVERIFY(r.leaseOwner.isEmpty());
    if (newState == JobState::Failed)
        QVERIFY(r.error.contains(QLatin1String("after 3 attempts")));
}

// The machine an attempt failed or died on is kept, with how long the others get the job first:
// from when it may run again (a retry's delay, a recovery, a manual retry), 30 s.
void TestTransitions::failedAttemptLeavesTheJobToOtherMachinesFirst()
{
    JobRecord r = recordIn(JobState::Running); // on "elsewhere"
    Completion c = completionFor(r, RunStatus::Failed);
    c.retryable = true;
    c.retryDelayMs = 2000;
    QVERIFY(transitions::complete(r, c, kNow).changed);
    QCOMPARE(r.state, JobState::Queued);
    QCOMPARE(r.avoidHost, QStringLiteral("elsewhere"));
    QCOMPARE(r.avoidUntilMs, kNow + 2000 + 30000);

    // The next attempt dies with its runner on another machine: that says nothing against the
    // machine (and a dead runner looks alive for a while), so nothing more is held back.
    QVERIFY(
        !transitions::claim(r, QStringLiteral("second|2|2|y"), kNow + 3000, 5000).error.isError());
    QVERIFY(transitions::recover(r, kNow + 9000, QStringLiteral("gone")).changed);
    QCOMPARE(r.avoidHost, QStringLiteral("elsewhere"));
    QCOMPARE(r.avoidUntilMs, kNow + 2000 + 30000);

    // Out of attempts: failed, with no window until someone retries it.
    QVERIFY(
        !transitions::claim(r, QStringLiteral("third|3|3|z"), kNow + 10000, 5000).error.isError());
    c = completionFor(r, RunStatus::Failed);
    c.retryable = true;
    QVERIFY(transitions::complete(r, c, kNow + 11000).changed);
    QCOMPARE(r.state, JobState::Failed);
    QCOMPARE(r.avoidHost, QStringLiteral("third"));
    QCOMPARE(r.avoidUntilMs, 0);
    QVERIFY(
        transitions::applyCommand(r, JobCommand::Retry, kNow + 60000, [] { return 9; }).changed);
    QCOMPARE(r.avoidHost, QStringLiteral("third"));
    QCOMPARE(r.avoidUntilMs, kNow + 60000 + 30000);

    // Success forgets it.
    QVERIFY(
        !transitions::claim(r, QStringLiteral("third|3|3|z"), kNow + 61000, 5000).error.isError());
    QVERIFY(transitions::complete(r, completionFor(r, RunStatus::Succeeded), kNow + 62000).changed);
    QVERIFY(r.avoidHost.isEmpty());
    QCOMPARE(r.avoidUntilMs, 0);
}

void TestTransitions::deadRunnerOfThisProcessIsRecoveredAtOnce()
{
    const QString owner = runneridentity::makeOwner();
    runneridentity::setRunnerAlive(owner, true);
    JobRecord r = recordIn(JobState::Queued);
    QVERIFY(!transitions::claim(r, owner, kNow, 60000).error.isError());
    QString reason;
    QVERIFY(!transitions::needsRecovery(r, kNow, &reason));
    runneridentity::setRunnerAlive(owner, false);
    QVERIFY2(transitions::needsRecovery(r, kNow, &reason),
        "no need to wait a minute for a runner known dead");
    QVERIFY(reason.contains(QLatin1String("gone")));
}

QTEST_GUILESS_MAIN(TestTransitions)
#include "tst_transitions.moc"
