#pragma once

#include "job/jobkindregistry.h"

namespace spool {

// The `render` job kind: a 3D model file (OBJ, PLY, STL, glTF/GLB, FBX, OFF and whatever else
// Assimp reads) or "procedural:terrain", ray traced with Embree into a PNG.
void registerRenderKind(JobKindRegistry &registry);

} // namespace spool
