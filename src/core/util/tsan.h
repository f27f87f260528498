#pragma once

// Qt is not built with ThreadSanitizer, so TSan cannot see the happens-before edge that Qt's own
// (uninstrumented) locks create, e.g. between QThreadPool::start() and the runnable's run().
// These macros state such an edge explicitly. They only describe synchronization that Qt really
// performs; they never hide an access.

#if defined(__SANITIZE_THREAD__)
#define SPOOL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SPOOL_TSAN 1
#endif
#endif

#ifdef SPOOL_TSAN
#include <sanitizer/tsan_interface.h>
#define SPOOL_TSAN_RELEASE(addr) __tsan_release(const_cast<void *>(static_cast<const void *>(addr)))
#define SPOOL_TSAN_ACQUIRE(addr) __tsan_acquire(const_cast<void *>(static_cast<const void *>(addr)))
#else
#define SPOOL_TSAN_RELEASE(addr) static_cast<void>(addr)
#define SPOOL_TSAN_ACQUIRE(addr) static_cast<void>(addr)
#endif
