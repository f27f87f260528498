#pragma once

// What the benchmarks share: a job kind that does nothing, to measure the queue itself.

#include <memory>

#include <QStringList>

#include "job/jobkindregistry.h"
#include "store/postgresjobstore.h"

namespace spool::bench {

inline std::shared_ptr<JobKindRegistry> noopRegistry()
{
    class NoopJob final : public Job
    {
    public:
        JobResult run(JobContext &) override { return JobResult::success(); }
    };
    auto registry = std::make_shared<JobKindRegistry>();
    JobKind noop;
    noop.name = QStringLiteral("noop");
    noop.create = [] { return std::make_unique<NoopJob>(); };
    if (!registry->add(noop).ok())
        qFatal("cannot register the no-op kind");
    return registry;
}

// An opened store, shared; a failure to open ends the benchmark.
template<typename Store>
std::shared_ptr<JobStore> storeOrQuit(Result<std::unique_ptr<Store>> opened)
{
    if (!opened)
        qFatal("%s", qPrintable(opened.error().message));
    return std::shared_ptr<JobStore>(std::move(opened.value()));
}

// The shared queue at `url`, in a schema of its own; a failure ends the benchmark.
inline std::shared_ptr<JobStore> openPostgres(const QString &url, const QString &schema)
{
    PostgresJobStore::Options options;
    options.url = url;
    options.schema = schema;
    return storeOrQuit(PostgresJobStore::open(options));
}

// The positional argument `index` as a number, or `fallback`.
inline int intArgument(const QStringList &args, int index, int fallback)
{
    bool ok = false;
    const int value = args.size() > index ? args.at(index).toInt(&ok) : 0;
    return ok && value > 0 ? value : fallback;
}

} // namespace spool::bench
