#include "pngencoder.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <libdeflate.h>
#include <memory>
#include <vector>

namespace spool::render {

namespace {

constexpr int kDeflateLevel = 6;
constexpr qsizetype kMaxChunk = 1 << 20; // IDAT chunks of at most 1 MiB, as most writers do

enum Filter : uint8_t { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4 };

void appendBigEndian(QByteArray &out, uint32_t value)
{
    const char bytes[4] = { char(value >> 24), char(value >> 16), char(value >> 8), char(value) };
    out.append(bytes, 4);
}

void appendChunk(QByteArray &out, const char type[4], const char *data, qsizetype size)
{
    appendBigEndian(out, uint32_t(size));
    const qsizetype start = out.size();
    out.append(type, 4);
    if (size > 0)
        out.append(data, size);
    appendBigEndian(out, libdeflate_crc32(0, out.constData() + start, size_t(out.size() - start)));
}

// One row of raw samples, big-endian as PNG stores them.
void rawRow(const QImage &image, int y, uint8_t *row)
{
    const int width = image.width();
    if (image.format() == QImage::Format_RGBX64) {
        const auto *line = reinterpret_cast<const QRgba64 *>(image.constScanLine(y));
        for (int x = 0; x < width; ++x) {
            const uint16_t rgb[3] = { line[x].red(), line[x].green(), line[x].blue() };
            for (int c = 0; c < 3; ++c) {
                row[x * 6 + c * 2] = uint8_t(rgb[c] >> 8);
                row[x * 6 + c * 2 + 1] = uint8_t(rgb[c]);
            }
        }
        return;
    }
    const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
    for (int x = 0; x < width; ++x) {
        row[x * 3] = uint8_t(qRed(line[x]));
        row[x * 3 + 1] = uint8_t(qGreen(line[x]));
        row[x * 3 + 2] = uint8_t(qBlue(line[x]));
    }
}

// Without branches, so that the loop around it can run on vectors.
inline uint8_t paethPredictor(int a, int b, int c)
{
    const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
    const int bOrC = pb <= pc ? b : c;
    return uint8_t(pa <= pb && pa <= pc ? a : bOrC);
}

// What a filter predicts a byte to be from its neighbours (PNG spec, 9.2).
template<Filter filter>
inline uint8_t predict(int left, int up, int upLeft)
{
    if constexpr (filter == Sub)
        return uint8_t(left);
    else if constexpr (filter == Up)
        return uint8_t(up);
    else if constexpr (filter == Average)
        return uint8_t((left + up) >> 1);
    else if constexpr (filter == Paeth)
        return paethPredictor(left, up, upLeft);
    return 0;
}

// Filters `row` against `previous` (zeros above the first row) into `out`; returns the sum of
// the output bytes read as signed magnitudes (libpng's heuristic). One loop per filter, so that
// the compiler sees each one's arithmetic alone.
template<Filter filter>
uint32_t filterRow(
    const uint8_t *row, const uint8_t *previous, size_t size, size_t pixelBytes, uint8_t *out)
{
    uint32_t cost = 0;
    const auto put = [&](size_t i, uint8_t predicted) {
        out[i] = uint8_t(row[i] - predicted);
        cost += uint32_t(std::abs(int(int8_t(out[i]))));
    };
    // The first pixel has nothing on its left; the rest, split off, loop without a branch.
    for (size_t i = 0; i < std::min(pixelBytes, size); ++i)
        put(i, predict<filter>(0, previous[i], 0));
    for (size_t i = pixelBytes; i < size; ++i)
        put(i, predict<filter>(row[i - pixelBytes], previous[i], previous[i - pixelBytes]));
    return cost;
}

using FilterFunction = uint32_t (*)(const uint8_t *, const uint8_t *, size_t, size_t, uint8_t *);
constexpr std::array<FilterFunction, 5> kFilters = { filterRow<None>, filterRow<Sub>, filterRow<Up>,
    filterRow<Average>, filterRow<Paeth> };

// Every row with its filter byte, each filtered the way that leaves the least to compress.
std::vector<uint8_t> filteredRows(const QImage &image, size_t pixelBytes)
{
    const size_t rowBytes = size_t(image.width()) * pixelBytes;
    std::vector<uint8_t> filtered((rowBytes + 1) * size_t(image.height()));
    std::vector<uint8_t> previous(rowBytes, 0), row(rowBytes), trial(rowBytes);
    for (int y = 0; y < image.height(); ++y) {
        rawRow(image, y, row.data());
        uint8_t *out = filtered.data() + size_t(y) * (rowBytes + 1);
        uint32_t best = UINT32_MAX;
        for (size_t filter = 0; filter < kFilters.size(); ++filter) {
            const uint32_t cost =
                kFilters[filter](row.data(), previous.data(), rowBytes, pixelBytes, trial.data());
            if (cost < best) {
                best = cost;
                out[0] = uint8_t(filter);
                std::copy(trial.begin(), trial.end(), out + 1);
            }
        }
        previous.swap(row);
    }
    return filtered;
}

struct CompressorDeleter
{
    void operator()(libdeflate_compressor *c) const { libdeflate_free_compressor(c); }
};

} // namespace

Result<QByteArray> encodePng(const QImage &image)
{
    if (image.isNull())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("the picture is empty"));
    const bool sixteenBit = image.format() == QImage::Format_RGBX64;
    if (!sixteenBit && image.format() != QImage::Format_RGB32)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("a PNG is written from RGB32 or RGBX64 pixels only"));
    const std::vector<uint8_t> rows = filteredRows(image, sixteenBit ? 6 : 3);
    std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor(
        libdeflate_alloc_compressor(kDeflateLevel));
    if (!compressor)
        return makeError(ErrorCode::Storage, QStringLiteral("out of memory compressing a PNG"));
    std::vector<char> deflated(libdeflate_zlib_compress_bound(compressor.get(), rows.size()));
    const size_t size = libdeflate_zlib_compress(
        compressor.get(), rows.data(), rows.size(), deflated.data(), deflated.size());
    if (size == 0) // cannot happen with the bound's room; a PNG without pixels must not be written
        return makeError(ErrorCode::Storage, QStringLiteral("cannot compress the picture"));

    QByteArray png;
    png.reserve(qsizetype(size) + 1024);
    png.append("\x89PNG\r\n\x1a\n", 8);
    QByteArray header;
    appendBigEndian(header, uint32_t(image.width()));
    appendBigEndian(header, uint32_t(image.height()));
    const char rest[5] = { char(sixteenBit ? 16 : 8), 2 /* RGB */, 0, 0, 0 };
    header.append(rest, 5);
    appendChunk(png, "IHDR", header.constData(), header.size());
    appendChunk(png, "sRGB", "\0", 1); // perceptual intent
    for (qsizetype at = 0; at < qsizetype(size); at += kMaxChunk)
        appendChunk(png, "IDAT", deflated.data() + at, std::min(kMaxChunk, qsizetype(size) - at));
    appendChunk(png, "IEND", nullptr, 0);
    return png;
}

} // namespace spool::render
