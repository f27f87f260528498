#pragma once

#include <QImage>
#include <QList>

namespace spool::app {

struct PartPreview
{
    QImage image;
    qint64 weight = 0; // the samples the part had done when its picture was made
};

// The picture of a split render from its parts' previews. Each part renders its own samples of
// every pixel, so the whole is their average weighted by the samples each has done (equally,
// while none has reported any). Parts' pictures may differ in size (one shared by another
// machine is smaller): the result has the smallest size. Null when no part has a picture.
// Averaged as displayed (8-bit sRGB): close enough for a preview; the finished picture is merged
// from the parts' exact sums.
QImage mergePartPreviews(const QList<PartPreview> &parts);

} // namespace spool::app
