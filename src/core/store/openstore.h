#pragma once

#include <memory>

#include "store/jobstore.h"

namespace spool {

// Where the queue lives: the shared queue when a URL is given (--queue, else $SPOOL_QUEUE),
// else the embedded store in the data directory.
struct StoreLocation
{
    QString dataDir;
    QString queueUrl; // postgresql://… ; empty: the embedded store
    bool createIfMissing = true;
    int changePollMs = 200;
};

// The queue URL the user chose: `option` when given, else $SPOOL_QUEUE (may be empty).
QString resolveQueueUrl(const QString &option);
// Opens the store; $SPOOL_DURABILITY (normal|full) applies to the embedded store.
Result<std::shared_ptr<JobStore>> openStore(const StoreLocation &where);

} // namespace spool
