// RANKRT_SANITIZED: 1 in AddressSanitizer / ThreadSanitizer builds, whose runtimes own malloc;
// the allocation-counting tests then neither replace malloc nor run.
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RANKRT_SANITIZED 1
#else
#define RANKRT_SANITIZED 0
#endif
