// bench/stack_bench.cpp: the stack benchmarks of stack_test.go (go1.22.12),
// under Go's names, and two rows of the port's own for the cost of a call
// that crosses the end of a stack segment.
//
// Go grows a stack by copying it into one twice as large; the port runs the
// call that did not fit on a new segment (stack.cpp). So the Go rows
// measure copying, and the port's the same recursions growing by segments:
// BenchmarkStackCopy is a goroutine recursing a million frames deep, which
// Go copies about fifteen times and the port spreads over about seven
// segments, freed when the goroutine ends.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>

#include "chan.hpp"
#include "go.hpp"
#include "runtime2.hpp"
#include "stack.hpp"
#include "stubs.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;

// Go's compiler makes no tail calls and keeps `1 + count(n-1)` a real
// recursion; GCC would turn either into a loop. An empty asm after the call
// keeps the call a call.
#define KEEP_CALL() asm volatile("" ::: "memory")

/// stack_test.go:523 at go1.22.12 (count).
__attribute__((noinline)) int count(int n) {
  if (n == 0) return 0;
  int r = 1 + count(n - 1);
  KEEP_CALL();
  return r;
}

/// stack_test.go:504 at go1.22.12 (countp).
__attribute__((noinline)) void countp(int* n) {
  if (*n == 0) return;
  (*n)--;
  countp(n);
  KEEP_CALL();
}

/// stack_test.go:492 at go1.22.12 (BenchmarkStackCopyPtr).
void BenchmarkStackCopyPtr(B& b) {
  auto c = gort::make_chan<bool>();
  for (int64_t i = 0; i < b.N; i++) {
    gort::go([c]() {
      int n = 1000000;
      countp(&n);
      c.send(true);
    });
    c.recv();
  }
}

/// stack_test.go:512 at go1.22.12 (BenchmarkStackCopy).
void BenchmarkStackCopy(B& b) {
  auto c = gort::make_chan<bool>();
  for (int64_t i = 0; i < b.N; i++) {
    gort::go([c]() {
      count(1000000);
      c.send(true);
    });
    c.recv();
  }
}

// --- the port's own: the hot split ---------------------------------------

/// leaf: a call whose 2 KiB frame is more than the room left at the place
/// descendToBoundary stops, so that its prologue always fails there.
__attribute__((noinline)) int leaf(int x) {
  volatile char pad[2048];
  pad[0] = char(x);
  return pad[0] + 1;
}

/// room: the bytes between this frame and the current segment's guard.
__attribute__((noinline)) uintptr_t room() {
  runtime::g* gp = runtime::getg();
  return uintptr_t(__builtin_frame_address(0)) - (gp->stack_.lo + runtime::stackGuard);
}

/// descendToBoundary recurses with 256-byte frames until fewer than 1 KiB
/// are left before the guard, then calls leaf n times from there.
__attribute__((noinline)) int descendToBoundary(int64_t n) {
  volatile char pad[256];
  pad[0] = 1;
  int r = 0;
  if (room() > 1024) {
    r = descendToBoundary(n);
  } else {
    for (int64_t i = 0; i < n; i++) r += leaf(int(i));
  }
  KEEP_CALL();
  return r + pad[0];
}

/// BenchmarkStackHotSplit (port only): a call that crosses the end of a
/// segment, in a loop: each call runs on the spare segment, through
/// __morestack, newstack's fast path and lessstack. Compare it with
/// BenchmarkStackHotSplitBaseline, the same call with room to spare.
void BenchmarkStackHotSplit(B& b) {
  auto c = gort::make_chan<bool>();
  int64_t n = b.N;
  b.ResetTimer();
  gort::go([c, n]() {
    descendToBoundary(n);
    c.send(true);
  });
  c.recv();
}

/// BenchmarkStackHotSplitBaseline (port only): leaf in a loop, far from
/// the end of the stack.
void BenchmarkStackHotSplitBaseline(B& b) {
  auto c = gort::make_chan<bool>();
  int64_t n = b.N;
  b.ResetTimer();
  gort::go([c, n]() {
    int r = 0;
    for (int64_t i = 0; i < n; i++) r += leaf(int(i));
    benchmark::DoNotOptimize(r);
    c.send(true);
  });
  c.recv();
}

[[maybe_unused]] const bool registered = [] {
  registerGo("BenchmarkStackCopyPtr", BenchmarkStackCopyPtr);
  registerGo("BenchmarkStackCopy", BenchmarkStackCopy);
  registerGo("BenchmarkStackHotSplit", BenchmarkStackHotSplit);
  registerGo("BenchmarkStackHotSplitBaseline", BenchmarkStackHotSplitBaseline);
  return true;
}();

}  // namespace
