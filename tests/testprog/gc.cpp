// testprog/gc.cpp: sub-programs of go1.22.12
// runtime/testdata/testprog/gc.go.
//
// TestGCFairness runs GCFairness, TestGCFairness2 GCFairness2,
// TestPhysicalMemoryUtilization GCPhys, TestMemoryLimit GCMemoryLimit,
// TestMemoryLimitNoGCPercent GCMemoryLimitNoGCPercent.
//
// Not ported from gc.go (and why):
//   GCSys: Go's TestGcSys skips itself (golang.org/issue/37331).
//   DeferLiveness: no ported test runs it yet.
//
// TestGcZombieReporting runs GCZombie.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "metrics/metrics.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// GCFairness2's count and sink. Go's are locals that its goroutines
// capture, and those goroutines run until the process exits; here they are
// globals, so that the goroutines never write into a stack frame that main
// has left. sink is a global so that the collector sees it (the program's
// data and bss are roots).
std::array<std::atomic<int64_t>, 3> gcFairness2Count;
std::array<gort::slice<uint8_t>, 3> gcFairness2Sink;

// gc.go:67 at go1.22.12
//
// With one P, two goroutines that write to /dev/null without end (each
// write a system call) must not keep main from waking from its sleep.
void GCFairness() {
  runtime::GOMAXPROCS(1);
  int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    // Only fast writes test what this means to test (Go's reasoning).
    fmtPrintln("OK");
    return;
  }
  for (int i = 0; i < 2; i++) {
    gort::go([fd] {
      for (;;) {
        gort::syscall([fd] { return ::write(fd, ".", 1); });
      }
    });
  }
  gort::time::Sleep(10 * gort::time::Millisecond);
  fmtPrintln("OK");
}

// gc.go:91 at go1.22.12
//
// User code must not be able to use the collector's priority in the
// scheduler to make scheduling unfair (go.dev/issue/15706): with one P and
// a collection after every 1% of heap growth, three goroutines that do
// nothing but allocate must all get to run.
void GCFairness2() {
  runtime::GOMAXPROCS(1);
  gort::debug::SetGCPercent(1);
  for (int i = 0; i < int(gcFairness2Count.size()); i++) {
    gort::go(
        [](int i) {
          for (;;) {
            gcFairness2Sink[size_t(i)] = gort::make<uint8_t>(1024);
            gcFairness2Count[size_t(i)].fetch_add(1);
          }
        },
        i);
  }
  // If the scheduling is very unfair, main may not even get back from the
  // sleep. Go's comment: these times suit the scheduler as it is; if all
  // three have not run after 30 ms, wait a second more and look again
  // (OpenBSD's usleep takes 20 ms at least).
  gort::time::Sleep(30 * Millisecond);
  bool fail = false;
  for (auto& c : gcFairness2Count) {
    if (c.load() == 0) fail = true;
  }
  if (fail) {
    gort::time::Sleep(1000 * Millisecond);
    for (int i = 0; i < int(gcFairness2Count.size()); i++) {
      if (gcFairness2Count[size_t(i)].load() == 0) {
        fmtPrintln("goroutine " + std::to_string(i) + " did not run");
        return;
      }
    }
  }
  fmtPrintln("OK");
}

// GCPhys's first half: allocTotal bytes in allocChunk pieces, every
// other one kept (the result) and every other one condemned, to leave holes
// once the condemned go. (As in Go, saved and condemned start with
// allocs/2+1 and allocs/2 nil entries.)
// Departure: Go does this inline, and then runs a collection "to be at a
// consistent state" before `condemned = nil`. But Go's compiler sees that
// condemned is never read after the loop (the nil store is dead), so its
// stack map drops it there, and that first collection already frees the
// condemned chunks (gctrace: 32->32->16 MB). A C++ local lives to its
// scope's end, and the collector reads stacks conservatively, so a copy of
// condemned's array pointer anywhere in GCPhys's frame would keep every
// chunk alive through both collections, and the heap's growth would find
// the holes still full. The loop therefore runs in its own function:
// condemned dies when it returns, as in Go, since a frame below the stack
// pointer is not read. Both collections then see what Go's see (the same
// gctrace lines), and the background scavenger and heap growth meet the
// same holes.
[[gnu::noinline]] gort::slice<gort::slice<uint8_t>> gcPhysHoles(int allocs, int allocChunk) {
  auto saved = gort::make<gort::slice<uint8_t>>(allocs / 2 + 1);
  auto condemned = gort::make<gort::slice<uint8_t>>(allocs / 2);
  for (int i = 0; i < allocs; i++) {
    auto b = gort::make<uint8_t>(allocChunk);
    if (i % 2 == 0) {
      saved = gort::append(saved, b);
    } else {
      condemned = gort::append(condemned, b);
    }
  }
  return saved;
}

// gc.go:137 at go1.22.12
//
// Heap growth must scavenge: the program leaves a heap full of freed
// 64 KiB holes, then asks for one allocation as large as all the holes
// together, which cannot fit in them. The heap grows, and mheap.grow must
// return about as much free memory to the OS (sysUnused), so that the
// memory still backed by physical pages stays within 10% of the heap in use
// (plus a page per chunk).
void GCPhys() {
  // The total we allocate.
  constexpr int allocTotal = 32 << 20;
  // Memory the per-P page cache may hide from the scavenger: 64 pages of
  // 8 KiB.
  constexpr uint64_t maxPageCache = (8 << 10) * 64;

  // Chunks must be whole physical pages, or the scavenger skips them.
  int pageSize = int(::getpagesize());
  int allocChunk;
  if (pageSize <= 8 << 10) {
    allocChunk = 64 << 10;
  } else {
    allocChunk = 512 << 10;
  }
  int allocs = allocTotal / allocChunk;

  // GOGC fixed, for a steadier test whatever the environment says.
  gort::debug::SetGCPercent(100);

  // One P: less memory in page caches. (Go: defer
  // runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)), which restores it only as
  // the program ends.)
  runtime::GOMAXPROCS(1);

  gort::slice<gort::slice<uint8_t>> saved = gcPhysHoles(allocs, allocChunk);

  // A collection, for a consistent state; (condemned = nil: dead already,
  // see gcPhysHoles); a collection that frees the condemned chunks (in Go
  // and here, the first one has already done it).
  runtime::GC();
  runtime::GC();

  // The background scavenger may already have released the holes by now,
  // and then the next line releases nothing. That is fine (Go's comment):
  // the test is for a runtime whose heap growth does not scavenge, which
  // fails it often enough; one that does never fails it.

  // A large allocation that could fit in the holes' total but in none of
  // them.
  saved = gort::append(saved, gort::make<uint8_t>(allocTotal / 2));

  // Memory backed by physical pages: the heap's address space less what was
  // returned to the OS, less what the one P's page cache may hide.
  runtime::MemStats stats;
  runtime::ReadMemStats(&stats);
  uint64_t heapBacked = stats.HeapSys - stats.HeapReleased - maxPageCache;
  // How far that goes beyond the heap in use; the scavenger keeps 10% extra
  // on purpose, plus (worst case) one physical page per chunk.
  double overuse = (double(heapBacked) - double(stats.HeapAlloc)) / double(stats.HeapAlloc);
  double threshold = 0.1 + double(pageSize) / double(allocChunk);
  if (overuse <= threshold) {
    fmtPrintln("OK");
    return;
  }
  // Free pages were not returned to the OS as the heap grew.
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "exceeded physical memory overuse threshold of %3.2f%%: %3.2f%%\n"
                "(alloc: %llu, goal: %llu, sys: %llu, rel: %llu, objs: %d)",
                threshold * 100, overuse * 100, (unsigned long long)stats.HeapAlloc,
                (unsigned long long)stats.NextGC, (unsigned long long)stats.HeapSys,
                (unsigned long long)stats.HeapReleased, gort::len(saved));
  fmtPrintln(buf);
  // runtime.KeepAlive(saved)
  asm volatile("" : : "g"(saved.array) : "memory");
}

// gc.go:279 at go1.22.12
//
// The sweep must catch a pointer to a freed object: the program frees
// every other one of a span's worth of objects, then makes the freed
// slots reachable again from integers it kept, and collects. The mark
// finds them marked but not allocated, and the sweep throws "found
// pointer to free object" (mspan.reportZombies). The objects are 190
// bytes, an unusual size, so that little else reuses their slots.
void GCZombie() {
  constexpr int size = 190;
  constexpr int count = 8192 / size;
  gort::slice<gort::ptr<uint8_t>> keep = gort::make<gort::ptr<uint8_t>>(0, (count + 1) / 2);
  gort::slice<uintptr_t> free = gort::make<uintptr_t>(0, (count + 1) / 2);
  gort::slice<gort::ptr<uint8_t>> zombies = gort::make<gort::ptr<uint8_t>>(0, gort::len(free));
  for (int i = 0; i < count; i++) {
    gort::slice<uint8_t> obj = gort::make<uint8_t>(size);
    uint8_t* p = &obj[0];
    if (i % 2 == 0) {
      keep = gort::append(keep, gort::ptr<uint8_t>(p));
    } else {
      free = gort::append(free, reinterpret_cast<uintptr_t>(p));
    }
  }

  // Free the objects nothing points to.
  runtime::GC();

  // Point at them again.
  for (uintptr_t p : free) zombies = gort::append(zombies, gort::ptr<uint8_t>(reinterpret_cast<uint8_t*>(p)));

  // The collection must find the zombies.
  runtime::GC();
  fmtPrintln("failed");
  // runtime.KeepAlive(keep), runtime.KeepAlive(zombies)
  asm volatile("" : : "g"(keep.array), "g"(zombies.array) : "memory");
}

// gc.go:418's memLimitUnit, a little under a page (Go's comment on the
// choice is cut short), and gc.go:420's memLimitSink, where the live heap
// is kept (a global: a root).
constexpr int memLimitUnit = 8000;
gort::slice<gort::ptr<std::array<uint8_t, memLimitUnit>>> memLimitSink;

// gc.go:325 at go1.22.12
//
// SetMemoryLimit at work: with the limit at 256 MiB, a goroutine keeps a
// live heap of a target size, reallocating it without end, while main
// raises the target step by step to 80% of the limit and samples what the
// runtime has mapped and not released (runtime/metrics). The collector must
// keep that within the limit plus 16 MiB, whatever GOGC says (gcPercent:
// 100, or -1 for GOGC=off).
void gcMemoryLimit(int gcPercent) {
  if (int oldProcs = runtime::GOMAXPROCS(4); oldProcs < 4) {
    // Go's test skips below 4 CPUs, so this never happens there.
    println("insufficient CPUs");
    return;
  }
  gort::debug::SetGCPercent(gcPercent);

  constexpr int64_t myLimit = 256 << 20;
  constexpr int64_t maxInt64 = std::numeric_limits<int64_t>::max();
  if (int64_t limit = gort::debug::SetMemoryLimit(-1); limit != maxInt64) {
    runtime::print("expected MaxInt64 limit, got ", limit, " bytes instead\n");
    return;
  }
  if (int64_t limit = gort::debug::SetMemoryLimit(myLimit); limit != maxInt64) {
    runtime::print("expected MaxInt64 limit, got ", limit, " bytes instead\n");
    return;
  }
  if (int64_t limit = gort::debug::SetMemoryLimit(-1); limit != myLimit) {
    runtime::print("expected a ", myLimit, "-byte limit, got ", limit, " bytes instead\n");
    return;
  }

  gort::chan<int64_t> target = gort::make_chan<int64_t>();
  gort::sync::WaitGroup wg;
  wg.Add(1);
  gort::go([&wg, target] {
    gort::deferred done{[&wg] { wg.Done(); }};

    int sinkSize = int(target.recv() / memLimitUnit);
    for (;;) {
      if (gort::len(memLimitSink) != sinkSize) {
        memLimitSink = gort::make<gort::ptr<std::array<uint8_t, memLimitUnit>>>(sinkSize);
      }
      for (int i = 0; i < gort::len(memLimitSink); i++) {
        memLimitSink[i] = gort::new_<std::array<uint8_t, memLimitUnit>>();
        // Writing the memory slows the allocator down, which Go's test
        // needs to be stable (Go's #52433). Byte by byte, as Go's compiler
        // writes it: a plain loop here would become a memset.
        volatile uint8_t* b = memLimitSink[i]->data();
        for (int j = 0; j < memLimitUnit; j++) b[j] = 9;
      }
      // And yield, to slow it down again.
      runtime::Gosched();
      int64_t newTarget;
      bool ok;
      switch (gort::select({gort::recv(target, &newTarget, &ok)}, gort::default_)) {
        case 0:
          if (newTarget == maxInt64) return;
          sinkSize = int(newTarget / memLimitUnit);
          break;
        default:
          break;
      }
    }
  });
  std::array<gort::metrics::Sample, 2> m{};
  m[0].Name = "/memory/classes/total:bytes";
  m[1].Name = "/memory/classes/heap/released:bytes";

  // A live heap of at most 80% of the limit: the limit bounds all the
  // memory the runtime maps, not the live heap alone.
  int64_t maxTarget = int64_t((myLimit / 10) * 8);
  int64_t increment = int64_t((myLimit / 10) * 1);
  for (int64_t i = increment; i < maxTarget; i += increment) {
    target.send(i);

    // Sample what is retained for a while. A sample may miss a moment over
    // the limit, and the runtime's accounting is not exact, so the bound is
    // loose (Go: see #52433).
    int64_t bound = int64_t(myLimit + (16 << 20));
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200)) {
      gort::metrics::Read(m);
      int64_t retained = int64_t(m[0].Value.Uint64() - m[1].Value.Uint64());
      if (retained > bound) {
        runtime::print("retained=", retained, " limit=", myLimit, " bound=", bound, "\n");
        gort::panic("exceeded memory limit by more than bound allows");
      }
      runtime::Gosched();
    }
  }

  if (int64_t limit = gort::debug::SetMemoryLimit(maxInt64); limit != myLimit) {
    runtime::print("expected a ", myLimit, "-byte limit, got ", limit, " bytes instead\n");
    return;
  }
  println("OK");
  // (Go's goroutine is still running when main returns, and the process
  // ends with it; here too: wg is never waited for.)
}

// gc.go:312 at go1.22.12
void GCMemoryLimit() { gcMemoryLimit(100); }

// gc.go:316 at go1.22.12
void GCMemoryLimitNoGCPercent() { gcMemoryLimit(-1); }

// gc.go:20 at go1.22.12
[[maybe_unused]] bool registeredFairness = register_("GCFairness", GCFairness);
// gc.go:21 at go1.22.12
[[maybe_unused]] bool registered = register_("GCFairness2", GCFairness2);
// gc.go:25 at go1.22.12
[[maybe_unused]] bool registeredZombie = register_("GCZombie", GCZombie);
// gc.go:23 at go1.22.12
[[maybe_unused]] bool registeredPhys = register_("GCPhys", GCPhys);
// gc.go:27 at go1.22.12
[[maybe_unused]] bool registeredMemoryLimit = register_("GCMemoryLimit", GCMemoryLimit);
// gc.go:28 at go1.22.12
[[maybe_unused]] bool registeredMemoryLimitNoGCPercent = register_("GCMemoryLimitNoGCPercent", GCMemoryLimitNoGCPercent);

}  // namespace
}  // namespace testprog
