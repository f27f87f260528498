#pragma once

#include <QByteArray>
#include <QStringList>

#include "scene.h"

// How spool-scene-reader hands a model back: the reader runs Assimp in a process of its own (a
// damaged file can crash Assimp), and Spool decodes its answer. The answer comes from a process
// that read a stranger's file, so decoding trusts nothing: every count is checked against the
// bytes left, every index against its mesh, and bounds and triangle counts are recomputed.
namespace spool::render::scenewire {

QByteArray encode(const Scene &scene);
QByteArray encode(const QStringList &cameraNames);
QByteArray encode(const Error &error);

// The scene, or the reader's own error, or why the answer is damaged.
Result<Scene> decodeScene(const QByteArray &data);
Result<QStringList> decodeCameraNames(const QByteArray &data);

} // namespace spool::render::scenewire
