// testprog/malloc.cpp: sub-programs that end in the allocator's fatal
// errors (malloc.go, mheap.go):
//   - OutOfMemory: the OS refuses more heap address space. The program
//     caps its own address space (RLIMIT_AS, as `ulimit -v` does) a little
//     above what it has mapped so far, then allocates 1 MiB objects and
//     keeps them all reachable (a list from a stack variable, so the
//     collector frees none), until mheap.grow cannot reserve another
//     arena. Go prints
//       runtime: out of memory: cannot allocate 4194304-byte block (N in use)
//       fatal error: out of memory
//     and exits with status 2.
#include <sys/resource.h>

#include <cstdio>
#include <cstdint>

#include "go.hpp"
#include "malloc.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace {

/// 1 MiB, linked to the block allocated before it.
struct block1M {
  gort::ptr<block1M> prev;
  uint8_t b[(1 << 20) - sizeof(gort::ptr<block1M>)];
};

}  // namespace

namespace testprog {
namespace {

/// The process's mapped address space now, bytes (/proc/self/statm's first
/// field, in pages).
uint64_t addressSpace() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long pages = 0;
  if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
  std::fclose(f);
  return pages * 4096;
}

void OutOfMemory() {
  // Room for a few arenas (64 MiB each) beyond what is mapped now.
  uint64_t limit = addressSpace() + (256 << 20);
  rlimit rl{limit, limit};
  if (setrlimit(RLIMIT_AS, &rl) != 0) {
    println("setrlimit failed");
    osExit(1);
  }
  gort::ptr<block1M> last;
  for (int i = 0; i < 1 << 16; i++) {
    // Every block stays reachable, so the heap must grow.
    gort::ptr<block1M> b = gort::new_<block1M>();
    b->prev = last;
    last = b;
  }
  asm volatile("" : : "g"(last.get()) : "memory");
  println("allocated 64 GiB under a 256 MiB limit");
}

bool registered = register_("OutOfMemory", OutOfMemory);

}  // namespace
}  // namespace testprog
