#include "previewmerge.h"

#include <vector>

namespace spool::app {

QImage mergePartPreviews(const QList<PartPreview> &parts)
{
    QSize size;
    qint64 totalWeight = 0;
    int pictures = 0;
    for (const PartPreview &part : parts) {
        if (part.image.isNull())
            continue;
        ++pictures;
        totalWeight += qMax<qint64>(0, part.weight);
        size = size.isValid() ? size.boundedTo(part.image.size()) : part.image.size();
    }
    if (pictures == 0)
        return {};
    std::vector<double> sum(size_t(size.width()) * size_t(size.height()) * 3, 0.0);
    for (const PartPreview &part : parts) {
        if (part.image.isNull())
            continue;
        const double w = totalWeight > 0
            ? double(qMax<qint64>(0, part.weight)) / double(totalWeight)
            : 1.0 / pictures;
        if (w == 0.0)
            continue;
        const QImage image = (part.image.size() == size
                ? part.image
                : part.image.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation))
                                 .convertToFormat(QImage::Format_RGB32);
        for (int y = 0; y < size.height(); ++y) {
            const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
            double *out = sum.data() + size_t(y) * size_t(size.width()) * 3;
            for (int x = 0; x < size.width(); ++x) {
                out[3 * x] += w * qRed(line[x]);
                out[3 * x + 1] += w * qGreen(line[x]);
                out[3 * x + 2] += w * qBlue(line[x]);
            }
        }
    }
    QImage merged(size, QImage::Format_RGB32);
    for (int y = 0; y < size.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(merged.scanLine(y));
        const double *in = sum.data() + size_t(y) * size_t(size.width()) * 3;
        for (int x = 0; x < size.width(); ++x)
            line[x] = qRgb(qBound(0, qRound(in[3 * x]), 255), qBound(0, qRound(in[3 * x + 1]), 255),
                qBound(0, qRound(in[3 * x + 2]), 255));
    }
    return merged;
}

} // namespace spool::app
