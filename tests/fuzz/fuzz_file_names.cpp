// File names from strangers (a server's Content-Disposition or URL, a --from list): whatever
// comes in, the name on disk stays one file inside the folder the user chose.
#include <QDir>

#include "filenames.h"
#include "fuzzinput.h"

using namespace spool;

namespace {

void checkStaysInside(const QString &name)
{
    SPOOL_FUZZ_CHECK(!name.contains(QLatin1Char('/')) && !name.contains(QChar(0)), name);
    SPOOL_FUZZ_CHECK(name != QLatin1String(".") && name != QLatin1String(".."), name);
    SPOOL_FUZZ_CHECK(name.toUtf8().size() <= 255, name);
    if (!name.isEmpty()) {
        const QString folder = QStringLiteral("/srv/downloads");
        const QString path = QDir::cleanPath(folder + QLatin1Char('/') + name);
        SPOOL_FUZZ_CHECK(path.startsWith(folder + QLatin1Char('/')), path);
        SPOOL_FUZZ_CHECK(!name.startsWith(QLatin1Char('.')), name); // no hidden files
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::Fields in(data, size);
    const QString proposed = in.text(0);
    checkStaysInside(filenames::sanitize(proposed));

    const QString shortened = filenames::shortened(filenames::sanitize(proposed), 200);
    SPOOL_FUZZ_CHECK(shortened.toUtf8().size() <= 200, shortened);
    SPOOL_FUZZ_CHECK(!shortened.contains(QChar(QChar::ReplacementCharacter))
            || proposed.contains(QChar(QChar::ReplacementCharacter)),
        shortened); // never cuts a character in two

    const QUrl url(in.text(1));
    checkStaysInside(filenames::fromUrl(url));
    return 0;
}
