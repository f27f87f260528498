#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace spool::render {

// A file a model file reads besides itself. Found without Assimp (no separate process, no
// geometry read), so it can be checked before a render is queued.
struct SceneInput
{
    QString path; // absolute
    QString what; // "buffer", "texture", "material library"
    // Geometry: without it the scene cannot be read. Otherwise only the look suffers (the
    // renderer uses material colours, not textures).
    bool required = false;
};

// What `scene` references: glTF/GLB buffers and images, OBJ material libraries and the
// textures they name. Embedded data (data: URIs, a GLB's own chunk) is not listed; other
// formats list nothing. A file that cannot be parsed lists nothing: reading it fails the job
// with Assimp's reason.
QList<SceneInput> sceneInputs(const QString &scene);

struct InputCheck
{
    QString refusal; // a required input is missing: the render cannot run
    QStringList notes; // optional inputs that are missing
};
InputCheck checkInputs(const QString &scene);

} // namespace spool::render
