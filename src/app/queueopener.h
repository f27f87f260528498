#pragma once

#include <memory>
#include <optional>

#include "store/openstore.h"

class QWidget;

namespace spool::app {

// Opens the queue off the GUI thread: a shared queue's server may take seconds to answer, or
// never (then libpq's connect timeout ends it). This thread's events go on meanwhile, and after
// half a second a dialog says what Spool waits for, with Quit. Nothing when the user quit (the
// attempt then ends by itself in the background).
std::optional<Result<std::shared_ptr<JobStore>>> openQueueShowingProgress(
    const StoreLocation &where, QWidget *parent = nullptr);

} // namespace spool::app
