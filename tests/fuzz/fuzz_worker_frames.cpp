// The worker-host protocol in both directions: frames read from a pipe whose other end may be a
// crashed or hostile process. Every frame that parses goes on unchanged when sent again.
#include <QJsonDocument>

#include "fuzzinput.h"
#include "plugins/workerprotocol.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray buffer(reinterpret_cast<const char *>(data), qsizetype(size));
    for (int frames = 0; frames < 1000; ++frames) {
        const qsizetype before = buffer.size();
        QString error;
        const auto message = workerprotocol::take(buffer, &error);
        if (!message) {
            // Either a clear error, or an incomplete frame left whole for the next read.
            SPOOL_FUZZ_CHECK(!error.isEmpty() || buffer.size() == before, error);
            break;
        }
        SPOOL_FUZZ_CHECK(buffer.size() < before, QString::number(before)); // progress
        // Sent on, it reads back as itself, and encodes to the same bytes again.
        const QByteArray encoded = workerprotocol::encode(*message);
        QByteArray again = encoded;
        QString againError;
        const auto decoded = workerprotocol::take(again, &againError);
        SPOOL_FUZZ_CHECK(decoded && again.isEmpty(), againError);
        SPOOL_FUZZ_CHECK(workerprotocol::encode(*decoded) == encoded, QString::fromUtf8(encoded));
    }
    return 0;
}
