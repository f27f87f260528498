#pragma once

#include <QByteArray>
#include <QImage>

#include "util/result.h"

namespace spool::render {

// A render's picture as a PNG file's bytes: 8-bit RGB from Format_RGB32, 16-bit RGB from
// Format_RGBX64, tagged sRGB (the renderer writes sRGB values). Rows are filtered as libpng
// does by default (per row, the filter whose output has the smallest sum of magnitudes) and
// compressed by libdeflate at level 6: about a third of the time of Qt's writer at zlib level
// 6, and a slightly smaller file.
Result<QByteArray> encodePng(const QImage &image);

} // namespace spool::render
