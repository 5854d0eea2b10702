// memstats: a few allocations and what runtime::ReadMemStats (and, at the
// end, package runtime/metrics) says about them, for the "Things to try" of the book's memory chapter. The book's
// build runs it (cmake/book.cmake) and shows its output; it runs it once
// more under gdb (memstats.gdb), which stops in book_stop and follows the
// allocations after it down to the heap's growth.
//
//   build/book/programs/memstats          the table
//   build/book/programs/memstats --quiet  no output (for the gdb session)
#include <array>
#include <cstdio>
#include <cstring>
#include <string>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "metrics/metrics.hpp"
#include "mheap.hpp"

// A 64-byte object that holds a pointer (so mallocgc treats it as "scan":
// it goes to a span class of its own, separate from pointer-free objects).
struct node {
  gort::ptr<node> next;
  uint64_t payload[7];
};

// gdb stops here (memstats.gdb): just before the first new(node).
extern "C" __attribute__((noinline)) void book_stop() { asm volatile(""); }

static bool quiet;
static const int nsteps = 5;
static runtime::MemStats st[nsteps + 1];
static const char* steps[nsteps + 1] = {
    "at start", "1 node", "+10000 nodes", "+100000 bytes", "+1 MiB", "+100 MiB",
};

static void where(const char* what, void* p) {
  runtime::mspan* s = runtime::spanOf(runtime::uintptr(p));
  if (quiet) return;
  std::printf("%-28s %p: span base %#lx, %lu page(s), elemsize %lu, nelems %u, spanclass %u (sizeclass %d, %s)\n",
              what, p, (unsigned long)s->base(), (unsigned long)s->npages, (unsigned long)s->elemsize,
              unsigned(s->nelems), unsigned(s->spanclass.v), int(s->spanclass.sizeclass()),
              s->spanclass.noscan() ? "noscan" : "scan");
}

static void main_main() {
  // The allocator alone: with the collector on, the 100 MiB array below
  // would reach the pacer's trigger and run a cycle inside mallocgc.
  gort::debug::SetGCPercent(-1);
  runtime::ReadMemStats(&st[0]);
  book_stop();

  // new(node): a small object, size class of 64 bytes.
  node* list = runtime::newobject<node>();
  where("new(node)", list);
  runtime::ReadMemStats(&st[1]);

  // 10000 more of them, linked so that they stay reachable.
  for (int i = 0; i < 10000; i++) {
    node* n = runtime::newobject<node>();
    n->next = gort::ptr<node>(list);
    list = n;
  }
  runtime::ReadMemStats(&st[2]);

  // 100000 one-byte objects: pointer-free and under 16 bytes, so the tiny
  // allocator packs them 16 to a block.
  uint8_t* tiny[4];
  for (int i = 0; i < 100000; i++) {
    uint8_t* b = runtime::newobject<uint8_t>();
    *b = uint8_t(i);
    if (i < 4) tiny[i] = b;
  }
  where("new(uint8) (tiny)", tiny[0]);
  if (!quiet) std::printf("%-28s %p %p %p %p\n", "the first four tiny objects", (void*)tiny[0], (void*)tiny[1],
                          (void*)tiny[2], (void*)tiny[3]);
  runtime::ReadMemStats(&st[3]);

  // A large object: a span of its own.
  uint8_t* big = runtime::newarray<uint8_t>(1 << 20);
  where("make([]byte, 1<<20)", big);
  runtime::ReadMemStats(&st[4]);

  // Larger than what the heap has reserved so far: a new arena reservation.
  uint8_t* huge = runtime::newarray<uint8_t>(100 << 20);
  where("make([]byte, 100<<20)", huge);
  // (A first runtime/metrics read, below, allocates: it makes the buckets
  // of its size-class histograms. Done before ReadMemStats, it does not
  // come between the two.)
  std::array<gort::metrics::Sample, 5> m{{{"/memory/classes/total:bytes", {}},
                                          {"/memory/classes/heap/objects:bytes", {}},
                                          {"/memory/classes/heap/released:bytes", {}},
                                          {"/gc/heap/objects:objects", {}},
                                          {"/gc/heap/tiny/allocs:objects", {}}}};
  gort::metrics::Read(m);
  runtime::ReadMemStats(&st[5]);

  // The same statistics by name, through package runtime/metrics, with
  // nothing allocated since ReadMemStats (which flushed every P's cache).
  gort::metrics::Read(m);

  if (quiet) return;
  std::printf("\n%-14s", "");
  for (const char* s : steps) std::printf(" %14s", s);
  std::printf("\n");
#define ROW(f)                                                            \
  std::printf("%-14s", #f);                                               \
  for (int i = 0; i <= nsteps; i++) std::printf(" %14llu", (unsigned long long)st[i].f); \
  std::printf("\n")
  ROW(HeapAlloc);
  ROW(HeapObjects);
  ROW(Mallocs);
  ROW(Frees);
  ROW(TotalAlloc);
  ROW(HeapInuse);
  ROW(HeapIdle);
  ROW(HeapReleased);
  ROW(HeapSys);
  ROW(StackInuse);
  ROW(MSpanInuse);
  ROW(GCSys);
  ROW(OtherSys);
  ROW(Sys);
  ROW(NumGC);
#undef ROW

  // Each metric beside the MemStats field it matches.
  const char* fields[] = {"Sys", "HeapAlloc", "HeapReleased", "HeapObjects", ""};
  const uint64_t values[] = {st[5].Sys, st[5].HeapAlloc, st[5].HeapReleased, st[5].HeapObjects, 0};
  std::printf("\nruntime/metrics after the last step:\n");
  for (size_t i = 0; i < m.size(); i++) {
    std::printf("%-38s %12llu", std::string(m[i].Name).c_str(), (unsigned long long)m[i].Value.Uint64());
    if (*fields[i]) std::printf("   MemStats.%s %llu", fields[i], (unsigned long long)values[i]);
    std::printf("\n");
  }
}

int main(int argc, char** argv) {
  quiet = argc > 1 && std::strcmp(argv[1], "--quiet") == 0;
  runtime::rt0_go(argc, argv, main_main);
}
