// stack_test.cpp: the stack-pool tests of go1.22.12 runtime/stack_test.go
// (TestStackMem, TestStackCache), translated, and the port's own check that
// a goroutine's stack is carved from a heap span ([gort]).
//
// Translation rules: as in proc_test.cpp (gort::go, gort::make_chan,
// gort_test::Sleep, GOMAXPROCSGuard, testingShort). Go's tests grow stacks
// with recursion over large arrays; the port's stacks are fixed 256 KiB
// (stack.hpp), so the recursion only commits more of the same stack, which
// is what the memory statistics must then not count twice.
//
// The rest of stack_test.go (stack growth and copying, defers and panics
// over grown stacks, tracebacks of wrappers) is outside this file's scope:
// tests/inventory/covered.txt lists only the two tests above.
#include <array>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <string>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "race.hpp"
#include "runtime.hpp"
#include "stack.hpp"

using gort_test::GOMAXPROCSGuard;
using gort_test::Millisecond;
using gort_test::Sleep;
using gort_test::testingShort;

namespace {

constexpr int ArraySize = 1024;

/// stackMemF is TestStackMem's f: RecursionDepth frames of a 1 KiB array
/// passed by value, then a sleep at the bottom.
__attribute__((noinline)) void stackMemF(int k, std::array<uint8_t, ArraySize> a) {
  if (k == 0) {
    Sleep(Millisecond);
    return;
  }
  stackMemF(k - 1, a);
  // Keep the call a real call (no tail call), and a live on this frame.
  asm volatile("" : : "r"(a.data()) : "memory");
}

}  // namespace

// stack_test.go:23 at go1.22.12
TEST_CASE("TestStackMem", "[stack_test.go]") {
  constexpr int BatchSize = 32;
  constexpr int BatchCount = 256;
  constexpr int RecursionDepth = 128;
  if (testingShort) return;  // as Go's test under -short
  GOMAXPROCSGuard gmp(BatchSize);
  runtime::MemStats s0;
  runtime::ReadMemStats(&s0);
  for (int b = 0; b < BatchCount; b++) {
    auto c = gort::make_chan<bool>(BatchSize);
    for (int i = 0; i < BatchSize; i++) {
      gort::go([c]() {
        stackMemF(RecursionDepth, std::array<uint8_t, ArraySize>{});
        c.send(true);
      });
    }
    for (int i = 0; i < BatchSize; i++) c.recv();
    // Let the goroutines exit, so that the next batch reuses them.
    Sleep(10 * Millisecond);
  }
  runtime::MemStats s1;
  runtime::ReadMemStats(&s1);
  // Departure: Go's bounds are in bytes of Go's stacks, which start at
  // 2 KiB (Go's fixedStack on linux/amd64); every port stack is fixedStack
  // (256 KiB) and never shrinks, so each bound is scaled by their ratio,
  // which keeps its meaning in stacks. The dead goroutines the 32 Ps keep
  // on their free lists (gfput, up to 64 per P) keep their stacks in both
  // runtimes: Go's inuse bound, 4 MiB, is 2048 such 2 KiB stacks. A leak of
  // one stack per goroutine run (8192 of them here) fails it.
  const int64_t scale = int64_t(runtime::CurrentStackSpan().fixedStack) / 2048;
  int64_t consumed = int64_t(s1.StackSys - s0.StackSys);
  INFO("Consumed " << (consumed >> 20) << "MB for stack mem");
  int64_t estimate = int64_t(8) * BatchSize * ArraySize * RecursionDepth * scale;  // 8 against flakiness
  CHECK(consumed <= estimate);
  // As in Go, StackInuse may fall while the test runs: signed.
  int64_t inuse = int64_t(s1.StackInuse) - int64_t(s0.StackInuse);
  INFO("Inuse " << (inuse >> 20) << "MB for stack mem");
  CHECK(inuse <= (int64_t(4) << 20) * scale);
}

namespace {

/// useStack recurses n KiB deep (stack_test.go's useStack).
__attribute__((noinline)) void useStack(int n) {
  if (n == 0) return;
  std::array<uint8_t, 1024> b;
  std::memset(b.data(), 0, b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
  useStack(n - 1);
  asm volatile("" : : "r"(b.data()) : "memory");
}

/// growing is stack_test.go's growing: serve stack-use requests until c
/// is closed.
void growing(gort::chan<int> c, gort::chan<bool> done) {
  for (;;) {
    auto [n, ok] = c.recv2();
    if (!ok) break;
    useStack(n);
    done.send(true);
  }
  done.send(true);
}

}  // namespace

// stack_test.go:427 at go1.22.12
TEST_CASE("TestStackCache", "[stack_test.go]") {
  // Start goroutines, have them use their stacks, end them; again, so that
  // the second round takes the stacks the first gave back.
  constexpr int R = 4, G = 200, S = 5;
  for (int i = 0; i < R; i++) {
    std::array<gort::chan<int>, G> reqchans;
    auto done = gort::make_chan<bool>();
    for (int j = 0; j < G; j++) {
      reqchans[j] = gort::make_chan<int>();
      gort::go(growing, reqchans[j], done);
    }
    for (int s = 0; s < S; s++) {
      for (int j = 0; j < G; j++) reqchans[j].send(1 << unsigned(s));
      for (int j = 0; j < G; j++) done.recv();
    }
    for (int j = 0; j < G; j++) gort::close(reqchans[j]);
    for (int j = 0; j < G; j++) done.recv();
  }
}

TEST_CASE("gort: a goroutine's stack lies in a stack span (mSpanManual)", "[gort]") {
  auto res = gort::make_chan<runtime::StackSpanInfo>(1);
  gort::go([res]() { res.send(runtime::CurrentStackSpan()); });
  runtime::StackSpanInfo info = res.recv();
  CHECK(std::string(info.state) == "mSpanManual");
  CHECK(info.sameSpan);
  CHECK(info.hi - info.lo == info.fixedStack);
  CHECK(info.elemsize == info.fixedStack);
  CHECK(info.base <= info.lo);
  CHECK(info.hi <= info.end);
  // An order-0 pool span: sixteen stacks, _StackCacheSize bytes.
  CHECK(info.end - info.base == info.stackCacheSize);
  CHECK((info.lo - info.base) % info.fixedStack == 0);

  // The test goroutine's own stack too.
  runtime::StackSpanInfo self = runtime::CurrentStackSpan();
  CHECK(std::string(self.state) == "mSpanManual");

  // StackInuse counts whole stack spans, and there is no stack memory
  // outside the heap: StackSys == StackInuse.
  runtime::MemStats st;
  runtime::ReadMemStats(&st);
  CHECK(st.StackInuse > 0);
  CHECK(st.StackInuse % info.stackCacheSize == 0);
  CHECK(st.StackSys == st.StackInuse);
}

TEST_CASE("gort: stack spans go back to the heap when all their stacks are free", "[gort]") {
  GOMAXPROCSGuard gmp(1);  // StackSpanRoundTrip's condition
  runtime::MemStats s0, s1;
  runtime::ReadMemStats(&s0);  // empties the stack caches too (flushmcache)
  // 512 stacks: 32 spans' worth. Stacks come from the pool's partly used
  // spans first, so how many spans are wholly ours depends on what earlier
  // tests left there; the round trip counts them. Each must go back to the
  // heap (freeManual) when the cache is emptied, with its guard pages gone.
  // A span freed during a mark stays a stack span until the cycle ends,
  // so the round trip runs only while no cycle is marking: it reports -1
  // otherwise, and the test waits for that mark to end.
  runtime::StackSpanRoundTripResult r;
  for (;;) {
    r = runtime::StackSpanRoundTrip(512);
    if (r.wrote >= 0) break;
    runtime::WaitForMark();
  }
  runtime::ReadMemStats(&s1);
  INFO("wrote " << r.wrote << " stacks; spans wholly ours " << r.ownSpans);
  REQUIRE(r.ownSpans >= 1);  // the pool held fewer than 496 free stacks
  CHECK(r.wrote >= r.ownSpans * int(runtime::_StackCacheSize / runtime::fixedStack));
  CHECK(s1.StackInuse <= s0.StackInuse);
  CHECK(s1.StackSys == s1.StackInuse);
}

// The stacks of dead goroutines on the global free list are freed during a
// collection's mark (markrootFreeGStacks); while a cycle runs a stack span
// that became free stays a stack span (stackpoolfree and stackfree keep
// it), and freeStackSpans gives it back to the heap when the cycle ends.
// So after a collection StackInuse is back near where it was: what stays
// is the stack spans that still hold a stack of a live goroutine or of a
// dead G on the P's own free list (gfput keeps up to 63 there, each with
// its stack, as Go's does), at most one span each. One P keeps that bound
// small beside the n stacks.
TEST_CASE("gort: the stacks a collection frees are back in the heap when it ends (freeStackSpans)", "[gort][mgc]") {
  GOMAXPROCSGuard gmp(1);
  // Under TSan, 1000: each goroutine that ever ran keeps a TSan fiber (a
  // g's fiber is reused with the g, race.cpp), and with 4000 of them every
  // later synchronisation in the process slowed down (TestCondBroadcast
  // after this test: 24 s instead of 6.5 s), which measures TSan. Not
  // fewer: the stacks earlier tests left cached are reused first (60 MiB
  // in one TSan run, 132 MiB in another), and the growth checked below,
  // a quarter of the n stacks, must still show; with 400 it did not.
  constexpr int n = runtime::raceenabled ? 1000 : 4000;
  runtime::GC();
  runtime::MemStats s0, peak, s1;
  runtime::ReadMemStats(&s0);

  auto release = gort::make_chan<int>();
  auto done = gort::make_chan<int>(n);
  for (int i = 0; i < n; i++) {
    gort::go([release, done]() {
      (void)release.recv();  // all n are alive at once
      done.send(1);
    });
  }
  runtime::ReadMemStats(&peak);
  gort::close(release);
  for (int i = 0; i < n; i++) (void)done.recv();

  runtime::GC();
  runtime::ReadMemStats(&s1);
  // 63 dead Gs on the P's list, a few live goroutines (this one, the
  // runtime's, other tests' leftovers): each may pin a span of stacks.
  uint64_t pinned = (63 + 17) * uint64_t(runtime::_StackCacheSize);
  INFO("StackInuse before " << s0.StackInuse << ", with " << n << " goroutines " << peak.StackInuse << ", after "
                            << s1.StackInuse << "; stack span " << runtime::_StackCacheSize);
  CHECK(peak.StackInuse - s0.StackInuse >= uint64_t(n) * runtime::fixedStack / 4);
  CHECK(s1.StackInuse <= s0.StackInuse + pinned);
  CHECK(s1.StackSys == s1.StackInuse);
}
