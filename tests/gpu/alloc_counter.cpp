// Allocation counting for the request-path test: malloc & co. replaced through glibc's
// __libc_* entry points, operator new / delete replaced on top of them, cudaMalloc & co. through
// the linker's --wrap (cudart is linked statically).
#include "gpu/alloc_counter.h"

#include <atomic>
#include <cstddef>
#include <new>

#ifdef RANKRT_HAVE_CUDA
#include <cuda_runtime.h>
#endif

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

std::atomic<bool> counting{false};
thread_local bool counting_thread = false;  // constant-initialized: safe inside malloc
std::atomic<int64_t> heap_allocs{0}, heap_frees{0}, cuda_allocs{0}, cuda_frees{0}, other_heap_allocs{0};

void count(std::atomic<int64_t>& c) {
  if (!counting.load(std::memory_order_relaxed)) return;
  if (counting_thread) {
    c.fetch_add(1, std::memory_order_relaxed);
  } else if (&c == &heap_allocs) {
    other_heap_allocs.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

namespace rankrt::test {

void start_counting_allocations() {
  heap_allocs = heap_frees = cuda_allocs = cuda_frees = other_heap_allocs = 0;
  counting_thread = true;
  counting = true;
}

AllocCounts stop_counting_allocations() {
  counting = false;
  counting_thread = false;
  return {heap_allocs.load(), heap_frees.load(), cuda_allocs.load(), cuda_frees.load(),
          other_heap_allocs.load()};
}

}  // namespace rankrt::test

extern "C" {

#if !RANKRT_SANITIZED
void* malloc(size_t n) {
  count(heap_allocs);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  count(heap_allocs);
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  count(heap_allocs);
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  count(heap_allocs);
  return __libc_memalign(alignment, n);
}
void* memalign(size_t alignment, size_t n) {
  count(heap_allocs);
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** p, size_t alignment, size_t n) {
  count(heap_allocs);
  *p = __libc_memalign(alignment, n);
  return *p || n == 0 ? 0 : 12;  // ENOMEM
}
void free(void* p) {
  if (p) count(heap_frees);
  __libc_free(p);
}

#endif
#ifdef RANKRT_HAVE_CUDA
cudaError_t __real_cudaMalloc(void** p, size_t n);
cudaError_t __real_cudaFree(void* p);
cudaError_t __real_cudaMallocHost(void** p, size_t n);
cudaError_t __real_cudaFreeHost(void* p);

cudaError_t __wrap_cudaMalloc(void** p, size_t n) {
  count(cuda_allocs);
  return __real_cudaMalloc(p, n);
}
cudaError_t __wrap_cudaFree(void* p) {
  count(cuda_frees);
  return __real_cudaFree(p);
}
cudaError_t __wrap_cudaMallocHost(void** p, size_t n) {
  count(cuda_allocs);
  return __real_cudaMallocHost(p, n);
}
cudaError_t __wrap_cudaFreeHost(void* p) {
  count(cuda_frees);
  return __real_cudaFreeHost(p);
}
#endif
}

// operator new / delete: counted here, allocated through __libc_malloc (not counted twice).
#if !RANKRT_SANITIZED
void* operator new(size_t n) {
  count(heap_allocs);
  if (void* p = __libc_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  count(heap_allocs);
  return __libc_malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept {
  if (p) count(heap_frees);
  __libc_free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }
#endif
