#include "openstore.h"

#include "store/postgresjobstore.h"
#include "store/sqlitejobstore.h"

namespace spool {

QString resolveQueueUrl(const QString &option)
{
    return option.isEmpty() ? qEnvironmentVariable("SPOOL_QUEUE") : option;
}

namespace {

Result<std::shared_ptr<JobStore>> openShared(const StoreLocation &where)
{
    PostgresJobStore::Options options;
    options.url = where.queueUrl;
    options.createIfMissing = where.createIfMissing;
    auto store = PostgresJobStore::open(options);
    if (!store)
        return store.error();
    return std::shared_ptr<JobStore>(std::move(store.value()));
}

Result<std::shared_ptr<JobStore>> openEmbedded(const StoreLocation &where)
{
    SqliteJobStore::Options options;
    options.dataDir = where.dataDir;
    options.createIfMissing = where.createIfMissing;
    options.changePollMs = where.changePollMs;
    const QString durability = qEnvironmentVariable("SPOOL_DURABILITY");
    if (!durability.isEmpty()) {
        options.durability = durabilityFromName(durability);
        if (options.durability == Durability::Invalid)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("SPOOL_DURABILITY must be 'normal' or 'full', not '%1'")
                    .arg(durability));
    }
    auto store = SqliteJobStore::open(options);
    if (!store)
        return store.error();
    return std::shared_ptr<JobStore>(std::move(store.value()));
}

} // namespace

Result<std::shared_ptr<JobStore>> openStore(const StoreLocation &where)
{
    return where.queueUrl.isEmpty() ? openEmbedded(where) : openShared(where);
}

} // namespace spool
