#pragma once

#include "job/job.h"

namespace spool::render {

// One render: loads the scene, traces it in progressive passes over the job's worker slot plus
// the slots the queue lends it, publishes a live preview, keeps its accumulation across pauses
// and restarts, and writes a PNG that never replaces an existing file.
class RenderJob final : public Job
{
public:
    JobResult run(JobContext &context) override;
};

} // namespace spool::render
