// bench/gc_bench.cpp: the benchmarks of gc_test.go (go1.22.12), under Go's
// names: BenchmarkAllocation, BenchmarkReadMemStats,
// BenchmarkReadMemStatsLatency, BenchmarkMSpanCountAlloc and
// BenchmarkScanStackNoLocals.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// The hooks Go's bodies reach through export_test.go (AllocMSpan,
// FreeMSpan, MSpanCountAlloc) are written here, in namespace runtime under
// Go's names, on the runtime's internal headers (mheap.hpp): no other user
// needs them.
//
// BenchmarkReadMemStatsLatency times each ReadMemStats while other
// goroutines keep the collector busy (applyGCLoad, which metrics_bench.cpp's
// BenchmarkReadMetricsLatency uses too), and reports percentiles of those
// times through b.ReportMetric, with no ns/op (bench/testing.hpp).
//
// BenchmarkWriteBarrier and BenchmarkBulkWriteBarrier time pointer stores
// while collections run back to back on another goroutine, so that the
// barrier is on for the whole loop (writeBarrierBenchmark).
//
// Not here (tests/inventory/not_applicable.tsv and todo.tsv say why): the
// SetType family, which go1.22.12 itself skips (its default layout, malloc
// headers, is the port's only one, and has no heapBitsSetType to time).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>

#include "chan.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "mheap.hpp"
#include "sync/waitgroup.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "slice.hpp"
#include "sync/atomic/type.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace runtime {
namespace {

/// MSpan: export_test.go's exported name for mspan.
using MSpan = mspan;

/// AllocMSpan: export_test.go:1403 at go1.22.12: an mspan structure from
/// the heap's spanalloc, describing no memory.
MSpan* AllocMSpan() {
  mspan* s = nullptr;
  systemstack([&] {
    lock(&mheap_.lock);
    s = static_cast<mspan*>(mheap_.spanalloc.alloc());
    unlock(&mheap_.lock);
  });
  return s;
}

/// FreeMSpan: export_test.go:1414 at go1.22.12: gives AllocMSpan's back.
void FreeMSpan(MSpan* s) {
  systemstack([&] {
    lock(&mheap_.lock);
    mheap_.spanalloc.free(s);
    unlock(&mheap_.lock);
  });
}

/// MSpanCountAlloc: export_test.go:1422 at go1.22.12: countAlloc over bits,
/// taken as the span's mark bitmap (len(bits)*8 objects).
int MSpanCountAlloc(MSpan* ms, gort::slice<uint8_t> bits) {
  mspan* s = ms;
  s->nelems = uint16(gort::len(bits) * 8);
  s->gcmarkBits = reinterpret_cast<gcBits*>(&bits[0]);
  int result = s->countAlloc();
  s->gcmarkBits = nullptr;
  return result;
}

}  // namespace
}  // namespace runtime

namespace {

using namespace gort_bench;

/// Go's *byte.
using bytePtr = gort::ptr<uint8_t>;

/// gc_test.go:476 at go1.22.12: b.N work items shared by GOMAXPROCS
/// goroutines over a buffered channel, each item 1000 allocations of a
/// two-pointer object; a false per goroutine ends its loop.
void BenchmarkAllocation(B& b) {
  struct T {
    bytePtr x, y;
  };
  int ngo = runtime::GOMAXPROCS(0);
  auto work = gort::make_chan<bool>(b.N + ngo);
  auto result = gort::make_chan<gort::ptr<T>>();
  for (int64_t i = 0; i < b.N; i++) work.send(true);
  for (int i = 0; i < ngo; i++) work.send(false);
  for (int i = 0; i < ngo; i++) {
    gort::go([work, result] {
      gort::ptr<T> x;
      while (work.recv()) {
        for (int i = 0; i < 1000; i++) x = gort::new_<T>();
      }
      result.send(x);
    });
  }
  for (int i = 0; i < ngo; i++) result.recv();
}

/// gc_test.go:618 at go1.22.12: ReadMemStats with 100 MiB of live 1 KiB
/// objects in the heap.
void BenchmarkReadMemStats(B& b) {
  runtime::MemStats ms{};
  constexpr int heapSize = 100 << 20;
  auto x = gort::make<gort::ptr<std::array<uint8_t, 1024>>>(heapSize / 1024);
  for (int i = 0; i < gort::len(x); i++) x[i] = gort::new_<std::array<uint8_t, 1024>>();

  b.ResetTimer();
  for (int64_t i = 0; i < b.N; i++) runtime::ReadMemStats(&ms);

  runtime::KeepAlive(x);
}

}  // namespace

namespace gort_bench {

/// applyGCLoad: gc_test.go:634 at go1.22.12: GOMAXPROCS-1 goroutines that
/// build trees of 16-pointer nodes, five levels deep (about 1.1 million
/// nodes, 140 MiB), one after the other, so the collector always has work;
/// the function it returns stops them and waits until they have. With one P
/// it skips the benchmark (Go: b.Skip, which ends the benchmark's
/// goroutine; here the caller returns when b.Skipped()) and returns a
/// function that does nothing. BenchmarkReadMetricsLatency
/// (metrics_bench.cpp) uses it too, as Go's package runtime_test shares it.
std::function<void()> applyGCLoad(B& b) {
  // The load takes GOMAXPROCS-1 Ps; the benchmark, one more.
  int maxProcs = runtime::GOMAXPROCS(-1);
  if (maxProcs == 1) {
    b.Skip("This benchmark can only be run with GOMAXPROCS > 1");
    return [] {};
  }

  // A big tree, all pointers.
  struct node {
    std::array<gort::ptr<node>, 16> children;
  };
  struct builder {
    static gort::ptr<node> buildTree(int depth) {
      auto tree = gort::new_<node>();
      if (depth != 0) {
        for (auto& child : tree->children) child = buildTree(depth - 1);
      }
      return tree;
    }
  };

  // Trees, one after the other, until done closes. The WaitGroup outlives
  // this function (Go's escapes to the heap): the returned function waits
  // on it.
  auto done = gort::make_chan<gort::struct_>();
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  for (int i = 0; i < maxProcs - 1; i++) {
    wg->Add(1);
    gort::go([done, wg] {
      gort::deferred d{[&wg] { wg->Done(); }};
      gort::ptr<node> hold;
      for (;;) {
        hold = builder::buildTree(5);
        if (gort::select({gort::recv(done)}, gort::default_) == 0) break;
      }
      runtime::KeepAlive(hold);
    });
  }
  return [done, wg] {
    gort::close(done);
    wg->Wait();
  };
}

}  // namespace gort_bench

namespace {

using gort::time::Duration;

/// gc_test.go:685 at go1.22.12: one ReadMemStats every 100 ms (a sleep, so
/// that its stops of the world leave the load time to run), each timed,
/// while applyGCLoad keeps the collector busy. The result is the 50th, 90th
/// and 99th percentile of those times, reported with b.ReportMetric as
/// p50-ns, p90-ns and p99-ns; ns/op is reported as 0 (none), since the
/// sleep is most of it. Go also zeroes B/op and allocs/op, which gort's
/// harness does not report (bench/testing.hpp).
void BenchmarkReadMemStatsLatency(B& b) {
  auto stop = applyGCLoad(b);
  if (b.Skipped()) return;

  // Room for the measurements, made before the timer starts.
  auto latencies = gort::make<Duration>(0, 1024);

  // b.N times: sleep, then time one ReadMemStats.
  b.ResetTimer();
  runtime::MemStats ms{};
  for (int64_t i = 0; i < b.N; i++) {
    // Without the sleep the world would be stopped almost all the time.
    gort::time::Sleep(100 * gort::time::Millisecond);
    auto start = gort::time::Now();
    runtime::ReadMemStats(&ms);
    latencies = gort::append(latencies, gort::time::Since(start));
  }
  // The timer stops before the load does: stopping it waits for the trees
  // being built, which a small b.N would otherwise count.
  b.StopTimer();
  stop();

  // No ns/op: a mean over the sleeps would mean nothing.
  b.ReportMetric(0, "ns/op");
  b.ReportMetric(0, "B/op");
  b.ReportMetric(0, "allocs/op");

  // The percentiles, from the sorted times.
  std::sort(latencies.begin(), latencies.end());
  b.ReportMetric(double(latencies[gort::len(latencies) * 50 / 100]), "p50-ns");
  b.ReportMetric(double(latencies[gort::len(latencies) * 90 / 100]), "p90-ns");
  b.ReportMetric(double(latencies[gort::len(latencies) * 99 / 100]), "p99-ns");
}

/// gc_test.go:741 at go1.22.12: runs f, timed, with the collector cycling
/// the whole time on another goroutine (runtime.GC in a loop), which keeps
/// the write barrier on.
template <class F>
void writeBarrierBenchmark(B& b, F f) {
  runtime::GC();
  runtime::MemStats ms{};
  runtime::ReadMemStats(&ms);

  // Collections back to back until stop is set.
  uint32_t stop = 0;
  auto done = gort::make_chan<bool>();
  gort::go([&stop, done] {
    while (gort::sync::atomic::LoadUint32(&stop) == 0) runtime::GC();
    gort::close(done);
  });

  b.ResetTimer();
  f();
  b.StopTimer();

  // Go's deferred function.
  gort::sync::atomic::StoreUint32(&stop, 1);
  done.recv();
}

/// gc_test.go:767 at go1.22.12: two pointer stores per iteration, each
/// through the write barrier: a walk that swaps the children of the nodes of
/// a 64 MiB binary tree, while the collector marks it.
void BenchmarkWriteBarrier(B& b) {
  if (runtime::GOMAXPROCS(-1) < 2) {
    // The collector's cycles would take the benchmark's own time.
    b.Skip("need GOMAXPROCS >= 2");
    return;
  }

  // A tree big enough that a cycle takes a while, whose pointers the loop
  // rewrites.
  struct node {
    gort::ptr<node> l, r;
  };
  gort::slice<gort::ptr<node>> wbRoots;
  std::function<gort::ptr<node>(int)> mkTree = [&](int level) -> gort::ptr<node> {
    if (level == 0) return nullptr;
    auto n = gort::new_<node>(mkTree(level - 1), mkTree(level - 1));
    // The subtrees at level 10 are roots of their own, so that a cycle has
    // grey objects from its start rather than only the top of the tree.
    if (level == 10) wbRoots = gort::append(wbRoots, n);
    return n;
  };
  constexpr int depth = 22;  // 64 MiB
  gort::ptr<node> root = mkTree(22);

  writeBarrierBenchmark(b, [&] {
    // The walk's stack is the goroutine's own, as Go's [depth]*node local:
    // raw pointers, stored without a barrier, scanned conservatively.
    node* stack[depth];
    int tos = -1;

    // Two barriered stores per iteration: i += 2.
    for (int64_t i = 0; i < b.N; i += 2) {
      if (tos == -1) {
        stack[0] = root.get();
        tos = 0;
      }

      // One step of mirroring the tree.
      node* n = stack[tos];
      if (n->l == nullptr) {
        tos--;
      } else {
        gort::ptr<node> l = n->l;
        n->l = n->r;
        n->r = l;
        stack[tos] = n->l.get();
        stack[tos + 1] = n->r.get();
        tos++;
      }

      // A point where the goroutine may be stopped (Go's issue 10958).
      if (i % (1 << 12) == 0) runtime::Gosched();
    }
  });

  runtime::KeepAlive(wbRoots);
}

/// gc_test.go:828 at go1.22.12: copy() of 1023 pointers at a time, each
/// copy one bulk barrier (typedslicecopy's bulkBarrierPreWrite), over 64 MiB
/// of 16-pointer objects, while the collector marks them.
void BenchmarkBulkWriteBarrier(B& b) {
  if (runtime::GOMAXPROCS(-1) < 2) {
    b.Skip("need GOMAXPROCS >= 2");
    return;
  }

  // Objects to move around.
  constexpr int heapSize = 64 << 20;
  using obj = std::array<gort::ptr<uint8_t>, 16>;
  auto ptrs = gort::make<gort::ptr<obj>>(heapSize / sizeof(obj));
  for (int i = 0; i < gort::len(ptrs); i++) ptrs[i] = gort::new_<obj>();

  writeBarrierBenchmark(b, [&] {
    constexpr int blockSize = 1024;
    int pos = 0;
    for (int64_t i = 0; i < b.N; i += blockSize) {
      // Rotate a block by one.
      auto block = ptrs.sub(pos, pos + blockSize);
      gort::ptr<obj> first = block[0];
      gort::copy(block, block.sub(1, blockSize));
      block[blockSize - 1] = first;

      pos += blockSize;
      if (pos + blockSize > gort::len(ptrs)) pos = 0;

      runtime::Gosched();
    }
  });

  runtime::KeepAlive(ptrs);
}

/// gc_test.go:885 at go1.22.12, its sub-benchmark for n bytes of mark bits
/// (bits=8n; Go's loop variable, a template argument here): countAlloc
/// over random bits, on one mspan structure. Go allocates the mspan once in
/// the parent and frees it by defer; each sub-benchmark here is registered
/// on its own, so it does both, with the free outside the timed region as
/// in Go.
template <int n>
void mspanCountAlloc(B& b) {
  runtime::MSpan* s = runtime::AllocMSpan();

  auto bits = gort::make<uint8_t>(n);
  std::mt19937_64 rng{std::random_device{}()};
  for (auto& v : bits) v = uint8_t(rng());

  b.ResetTimer();
  for (int64_t i = 0; i < b.N; i++) benchmark::DoNotOptimize(runtime::MSpanCountAlloc(s, bits));

  b.StopTimer();
  runtime::FreeMSpan(s);
}

/// gc_test.go:907 at go1.22.12 (countpwg): n frames deep, then ready and
/// park until teardown closes. The store after the call keeps it a real
/// recursion (Go's compiler makes no tail calls).
__attribute__((noinline)) void countpwg(int* n, gort::sync::WaitGroup* ready, gort::chan<bool> teardown) {
  if (*n == 0) {
    ready->Done();
    teardown.recv();
    return;
  }
  (*n)--;
  countpwg(n, ready, teardown);
  asm volatile("" ::: "memory");
}

/// gc_test.go:864 at go1.22.12 (BenchmarkScanStackNoLocals): ten goroutines
/// parked 100,000 frames deep, and one collection per op, whose mark scans
/// their stacks. Go's frames hold no pointers the precise scan must follow;
/// the port scans each stack conservatively, every word of every segment
/// (about 5 MiB of frames a goroutine, over five segments).
void BenchmarkScanStackNoLocals(B& b) {
  gort::sync::WaitGroup ready;
  auto teardown = gort::make_chan<bool>();
  for (int j = 0; j < 10; j++) {
    ready.Add(1);
    gort::go([&ready, teardown]() {
      int x = 100000;
      countpwg(&x, &ready, teardown);
    });
  }
  ready.Wait();
  b.ResetTimer();
  for (int64_t i = 0; i < b.N; i++) {
    b.StartTimer();
    runtime::GC();
    b.StopTimer();
  }
  gort::close(teardown);
}

void registerAll() {
  registerGo("BenchmarkAllocation", BenchmarkAllocation);
  registerGo("BenchmarkReadMemStats", BenchmarkReadMemStats);
  registerGo("BenchmarkReadMemStatsLatency", BenchmarkReadMemStatsLatency);
  registerGo("BenchmarkWriteBarrier", BenchmarkWriteBarrier);
  registerGo("BenchmarkScanStackNoLocals", BenchmarkScanStackNoLocals);
  registerGo("BenchmarkBulkWriteBarrier", BenchmarkBulkWriteBarrier);
  // gc_test.go:891's sizes, 8 to 128 bytes of mark bits.
  registerGo("BenchmarkMSpanCountAlloc/bits=64", mspanCountAlloc<8>);
  registerGo("BenchmarkMSpanCountAlloc/bits=128", mspanCountAlloc<16>);
  registerGo("BenchmarkMSpanCountAlloc/bits=256", mspanCountAlloc<32>);
  registerGo("BenchmarkMSpanCountAlloc/bits=512", mspanCountAlloc<64>);
  registerGo("BenchmarkMSpanCountAlloc/bits=1024", mspanCountAlloc<128>);
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
