// stack_test.cpp: tests of go1.22.12 runtime/stack_test.go, translated,
// and the port's own checks ([gort]): a goroutine's stack is carved from a
// heap span, and it grows by segments (stack.cpp): 100 MiB deep and back, a
// panic unwinding across segments, the collector scanning older segments,
// the hot split.
//
// Translation rules: as in proc_test.cpp (gort::go, gort::make_chan,
// gort_test::Sleep, GOMAXPROCSGuard, testingShort); a deferred call is a
// gort::deferred, a deferred recover a catch of runtime::PanicError. Go's
// tests grow stacks with recursion; Go's stacks start at 2 KiB, the port's
// at fixedStack (32 KiB, 1 MiB under ASan: stack.hpp), so where a test is
// about growth its frames hold 1 KiB or more and its depths are measured
// from fixedStack, and the test checks that the recursion did reach a
// second segment (CurrentStackSegments). Go's stacks move when they grow
// and the port's never do: a Go test that checks that pointers into the
// stack were adjusted checks here that they are still right.
//
// The tests of stack_test.go that need what the port does not have
// (compiler-generated method wrappers, Callers, recoverable faults,
// copying stacks) are listed in tests/inventory/not_applicable.tsv and
// todo.tsv; tests/inventory/covered.txt lists the file's tests.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdarg>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "race.hpp"
#include "runtime.hpp"
#include "stack.hpp"
#include "sync/waitgroup.hpp"

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
  // (32 KiB) and never shrinks, so each bound is scaled by their ratio,
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

/// useStackAndCall uses about n KiB of stack and calls f at the bottom
/// (stack_test.go's useStackAndCall). Its frames are Go's, a 1 KiB array
/// each, so n counts KiB here too: a recursion crosses the port's first
/// stack (fixedStack) past about fixedStack/1024 frames.
template <class F>
__attribute__((noinline)) void useStackAndCall(int n, const F& f) {
  if (n == 0) {
    f();
    return;
  }
  std::array<uint8_t, 1024> b;  // makes frame about 1KB
  std::memset(b.data(), 0, b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
  useStackAndCall(n - 1 + int(b[99]), f);
  // Keep the call a real call (no tail call) and b live across it.
  asm volatile("" : : "r"(b.data()) : "memory");
}

/// useStack recurses n KiB deep (stack_test.go's useStack).
void useStack(int n) {
  useStackAndCall(n, [] {});
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

namespace {

/// growStackIter is stack_test.go's growStackIter: n frames deep, each
/// passing the address of its local to the next, with a collection at the
/// bottom. Departure: each frame also holds a 1 KiB array. Go's frames are
/// a few dozen bytes and its stacks start at 2 KiB, so 1024 frames make
/// them grow five times; the port's first stack is 32 KiB, and without the
/// array these frames would hardly leave it. With it, the recursion runs
/// on six segments (32 KiB, then 64 KiB to 1 MiB).
__attribute__((noinline)) void growStackIter(int* p, int n) {
  std::array<uint8_t, 1024> pad;
  std::memset(pad.data(), uint8_t(n), pad.size());
  asm volatile("" : : "r"(pad.data()) : "memory");
  if (n == 0) {
    *p = n + 1;
    runtime::GC();
    return;
  }
  *p = n + 1;
  int x = 0;
  growStackIter(&x, n - 1);
  if (x != n) gort::panic("stack is corrupted");
  if (pad[n % 1024] != uint8_t(n)) gort::panic("stack is corrupted");
}

/// growStack is stack_test.go's growStack: recurse 1, 2, ... n deep.
void growStack(std::atomic<uint32_t>* progress) {
  int n = 1 << 10;
  if (testingShort) n = 1 << 8;
  for (int i = 0; i < n; i++) {
    int x = 0;
    growStackIter(&x, i);
    if (x != i + 1) gort::panic("stack is corrupted");
    if (progress != nullptr) progress->store(uint32_t(i));
  }
  runtime::GC();
}

}  // namespace

// stack_test.go:79 at go1.22.12
//
// Go grows stacks by copying them; the port adds segments (stack.cpp).
// What the test checks is the same: a goroutine, a locked goroutine and
// the finalizer goroutine recurse past their first stack, with collections
// at the bottom, and every frame still holds what it wrote when the
// recursion comes back. Under -short Go recurses 256 deep at most (here
// about 256 KiB of frames, on the first stack and four segments); the full
// count reaches 1 MiB. Go's deadline timer (a panic if the
// finalizer does not return in time) is left to ctest's timeout.
TEST_CASE("TestStackGrowth", "[stack_test.go]") {
  // in a normal goroutine
  auto done = gort::make_chan<bool>(1);
  gort::go([done]() {
    growStack(nullptr);
    done.send(true);
  });
  done.recv();

  // in locked goroutine
  gort::go([done]() {
    runtime::LockOSThread();
    growStack(nullptr);
    runtime::UnlockOSThread();
    done.send(true);
  });
  done.recv();

  // in finalizer
  static std::atomic<uint32_t> progress{0};
  static std::atomic<bool> started{false};
  auto fin = gort::make_chan<bool>(1);
  gort::go([fin]() {
    // A pointer field keeps it out of the tiny allocator, as Go's *string.
    auto s = gort::new_<gort::ptr<int64_t>>();
    runtime::SetFinalizer(s, [fin](gort::ptr<int64_t>*) {
      started.store(true);
      growStack(&progress);
      fin.send(true);
    });
  });
  // Go collects once and waits. A conservative scan may still find the
  // object's address in a dead word of some stack for a cycle or two, so
  // collect until the finalizer starts (up to four seconds, as
  // mfinal_test.cpp's awaitFinalizer), then wait for it to return.
  for (int i = 0; i < 400 && !started.load(); i++) {
    runtime::GC();
    Sleep(10 * Millisecond);
  }
  REQUIRE(started.load());
  fin.recv();
  INFO("finalizer ran " << progress.load() << " iterations");
  CHECK(progress.load() == uint32_t((testingShort ? 1 << 8 : 1 << 10) - 1));
}

namespace {

/// stackSegmentsInUse: how many segments the calling goroutine's frames
/// occupy now (1: it runs on its first stack).
int stackSegmentsInUse() { return runtime::CurrentStackSegments().inuse; }

/// growStackWithCallbackF is growStackWithCallback's f: n frames, then cb.
/// Departure: each frame holds a 1 KiB array. Go's f is a few dozen bytes
/// and its stack starts at 2 KiB, so 1024 frames make the runtime call at
/// the bottom find the stack full many times over; the port's first stack
/// is 32 KiB, and frames this large carry the recursion across several
/// segments (1 MiB under ASan: a second), so that cb's runtime calls run at
/// every distance from a segment's end.
template <class F>
__attribute__((noinline)) void growStackWithCallbackF(int n, const F& cb) {
  if (n == 0) {
    cb();
    return;
  }
  std::array<uint8_t, 1024> pad;
  asm volatile("" : : "r"(pad.data()) : "memory");
  growStackWithCallbackF(n - 1, cb);
  asm volatile("" : : "r"(pad.data()) : "memory");
}

/// growStackWithCallback calls cb at the bottom of recursions 0, 1, ...
/// 1023 frames deep (stack_test.go's growStackWithCallback), and returns
/// the most segments any of those calls ran with.
template <class F>
int growStackWithCallback(const F& cb) {
  int most = 0;
  auto f = [&] {
    cb();
    most = std::max(most, stackSegmentsInUse());
  };
  for (int i = 0; i < 1 << 10; i++) growStackWithCallbackF(i, f);
  return most;
}

}  // namespace

// stack_test.go:183 at go1.22.12
//
// The runtime's own functions (a channel operation, an allocation, newproc)
// must be able to start a new segment wherever they are called. Go's test
// asserts only that the three goroutines finish; here each also checks
// what its operation returned, and that its recursion did leave the first
// stack.
TEST_CASE("TestStackGrowthCallback", "[stack_test.go]") {
  gort::sync::WaitGroup wg;
  std::atomic<int> bad{0};
  std::array<int, 3> most{};

  // test stack growth at chan op
  wg.Add(1);
  gort::go([&wg, &bad, &most] {
    gort::deferred wgDone{[&wg] { wg.Done(); }};
    auto c = gort::make_chan<int>(1);
    most[0] = growStackWithCallback([&] {
      c.send(1);
      if (c.recv() != 1) bad.fetch_add(1);
    });
  });

  // test stack growth at map op
  //
  // Departure: the port has no maps. A map assignment into an empty map
  // allocates its bucket (mapassign calls newobject); here the goroutine
  // allocates and stores through what it got, the runtime call such a map
  // operation makes.
  wg.Add(1);
  gort::go([&wg, &bad, &most] {
    gort::deferred wgDone{[&wg] { wg.Done(); }};
    most[1] = growStackWithCallback([&] {
      auto m = gort::new_<std::array<int64_t, 2>>();
      (*m)[1] = 1;
      if ((*m)[0] != 0 || (*m)[1] != 1) bad.fetch_add(1);
    });
  });

  // test stack growth at goroutine creation
  wg.Add(1);
  gort::go([&wg, &bad, &most] {
    gort::deferred wgDone{[&wg] { wg.Done(); }};
    most[2] = growStackWithCallback([&] {
      auto done = gort::make_chan<bool>();
      gort::go([done] { done.send(true); });
      if (!done.recv()) bad.fetch_add(1);
    });
  });
  wg.Wait();
  CHECK(bad.load() == 0);
  for (int k = 0; k < 3; k++) {
    INFO("goroutine " << k << " reached " << most[k] << " segments");
    CHECK(most[k] >= 2);
  }
}

namespace {

/// set is stack_test.go's set.
__attribute__((noinline)) void set(int* p, int x) { *p = x; }

}  // namespace

// stack_test.go:243 at go1.22.12
//
// Go checks that a pending deferred call's pointer argument (&y) is
// adjusted when growStack copies the stack. The port's stacks never move,
// so the pointer needs no adjusting; what is left to check is the same
// outcome: both deferred calls, recorded on the first stack before the
// goroutine grew onto further segments (growStack's frames hold 1 KiB
// each, see growStackIter) and collected there, run when the function
// returns, and the first sees what the second wrote through &y.
TEST_CASE("TestDeferPtrs", "[stack_test.go]") {
  int y = 0;
  {
    gort::deferred check{[&y] {
      INFO("defer's stack references were not adjusted appropriately");
      CHECK(y == 42);
    }};
    gort::deferred setY{[p = &y] { set(p, 42); }};  // defer set(&y, 42)
    growStack(nullptr);
  }
}

namespace {

using bigBuf = std::array<uint8_t, 4 * 1024>;

/// setBig is stack_test.go's setBig: a call with more than 4 KiB of
/// arguments.
__attribute__((noinline)) void setBig(int* p, int x, bigBuf b) {
  asm volatile("" : : "r"(b.data()) : "memory");
  *p = x;
}

/// deferPtrsCrossing: the smallest n for which useStackAndCall(n, f) calls
/// f on a second segment, in a new goroutine; found by bisection, each
/// probe in a goroutine of its own.
int deferPtrsCrossing() {
  auto segsAt = [](int n) {
    auto c = gort::make_chan<int>(1);
    gort::go([c, n] { useStackAndCall(n, [c] { c.send(stackSegmentsInUse()); }); });
    return c.recv();
  };
  int lo = 0, hi = 2 * int(runtime::fixedStack / 1024);  // segsAt(lo) == 1, segsAt(hi) >= 2
  while (hi - lo > 1) {
    int mid = (lo + hi) / 2;
    (segsAt(mid) >= 2 ? hi : lo) = mid;
  }
  return hi;
}

/// runDeferPtrsTrials: the loop of TestDeferPtrsGoexit and
/// TestDeferPtrsPanic. Go's hundred trials use 0 to 99 KiB of stack, to
/// find one that ends within 4 KiB of the stack's end (Go's stack starts
/// at 2 KiB). The port's first stack is fixedStack bytes (and
/// useStackAndCall's frames are a little over 1 KiB, more under ASan), so
/// the hundred trials take the hundred depths around the one at which the
/// recursion leaves the first stack (deferPtrsCrossing), or Go's 0 to 99
/// when that depth is under 50 (the first stack of 32 KiB is left at about
/// 14): the first ones end
/// on the first stack, the last ones on a second segment, and those in
/// between within a few KiB of the first stack's end. Trial i runs in a
/// goroutine of its own and must send back 42; the loop checks that both
/// kinds of trial were seen.
void runDeferPtrsTrials(void (*trial)(gort::chan<int>, gort::chan<int>, int)) {
  const int crossing = deferPtrsCrossing();
  // From 50 below the crossing, or from 0 as in Go when the crossing is
  // closer than that.
  const int first = crossing > 50 ? crossing - 50 : 0;
  bool sawFirst = false, sawLater = false;
  for (int i = 0; i < 100; i++) {
    auto c = gort::make_chan<int>(1);
    auto segs = gort::make_chan<int>(1);
    gort::go(trial, c, segs, first + i);
    int n = c.recv();
    if (n != 42) {
      FAIL("defer's stack references were not adjusted appropriately (i=" << i << " n=" << n << ")");
    }
    int s = segs.recv();
    sawFirst = sawFirst || s == 1;
    sawLater = sawLater || s >= 2;
  }
  INFO("the recursion leaves the first stack at depth " << crossing);
  CHECK(sawFirst);
  CHECK(sawLater);
}

/// testDeferPtrsGoexit is stack_test.go's testDeferPtrsGoexit; it also
/// sends back how many segments the goroutine used when it called Goexit.
void testDeferPtrsGoexit(gort::chan<int> c, gort::chan<int> segs, int i) {
  int y = 0;
  gort::deferred sendY{[&] { c.send(y); }};
  gort::deferred setY{[p = &y, b = bigBuf{}] { setBig(p, 42, b); }};  // defer setBig(&y, 42, bigBuf{})
  useStackAndCall(i, [segs] {
    segs.send(stackSegmentsInUse());
    runtime::Goexit();
  });
}

}  // namespace

// stack_test.go:263 at go1.22.12
//
// Goexit at each of a hundred depths around the first stack's end
// (runDeferPtrsTrials): the unwinding that runs the deferred calls starts
// there, in code built without -fsplit-stack (libgcc's unwinder, which has
// only the room below the guard), and crosses back through lessstack;
// then the deferred call with 4 KiB of arguments writes through &y, and
// the other sends y. Go's stacks move where the port's do not, so "adjusted"
// reads here as "still right".
TEST_CASE("TestDeferPtrsGoexit", "[stack_test.go]") {
  runDeferPtrsTrials(testDeferPtrsGoexit);
}

namespace {

/// testDeferPtrsPanic is stack_test.go's testDeferPtrsPanic: as
/// testDeferPtrsGoexit, with a panic that the deferred recover (the catch)
/// stops; it sends -1 if nothing was recovered.
void testDeferPtrsPanic(gort::chan<int> c, gort::chan<int> segs, int i) {
  int y = 0;
  try {
    gort::deferred setY{[p = &y, b = bigBuf{}] { setBig(p, 42, b); }};  // defer setBig(&y, 42, bigBuf{})
    useStackAndCall(i, [segs] {
      segs.send(stackSegmentsInUse());
      gort::panic("1");
    });
  } catch (const runtime::PanicError&) {
    c.send(y);
    return;
  }
  c.send(-1);
}

}  // namespace

// stack_test.go:289 at go1.22.12
//
// Departure: Go's loop starts testDeferPtrsGoexit, not testDeferPtrsPanic
// (at go1.22.12 testDeferPtrsPanic is never called, so Go's test repeats
// TestDeferPtrsGoexit). The port runs testDeferPtrsPanic, the path the
// test's name and comment describe; TestDeferPtrsGoexit covers the other.
TEST_CASE("TestDeferPtrsPanic", "[stack_test.go]") {
  runDeferPtrsTrials(testDeferPtrsPanic);
}

namespace {

/// stackOf returns runtime::Stack's dump of the calling goroutine. It is
/// the port's "force stack walk": Go's tests call Callers, which the port
/// does not have; Stack walks the same frames (the C++ unwinder, up to 100
/// of them), from the caller down through any lessstack frame.
std::string stackOf() {
  std::vector<char> buf(64 << 10);
  int n = runtime::Stack(std::span<char>(buf.data(), buf.size()), false);
  return std::string(buf.data(), size_t(n));
}

/// panicLinks lists the messages of e and of the panics it links to
/// (PanicError::link: the panic being handled when it started), innermost
/// first: "3 2 1".
std::string panicLinks(const runtime::PanicError& e) {
  std::string s = e.what();
  std::exception_ptr next = e.link();
  while (next) {
    try {
      std::rethrow_exception(next);
    } catch (const runtime::PanicError& l) {
      s += std::string(" ") + l.what();
      next = l.link();
    } catch (...) {
      s += " ?";
      next = nullptr;
    }
  }
  return s;
}

}  // namespace

// stack_test.go:348 at go1.22.12
//
// Go checks that the chain of panics (each _panic on the stack links to the
// one whose deferred call raised it) stays right when a deferred call
// grows the stack. In the port a deferred call that recovers is a catch
// handler, and the chain is PanicError::link: each panic raised while a
// handler runs links to the panic that handler caught. Here the handlers
// grow the stack by Go's 100 and 200 KiB (four times that under ASan,
// whose first stack is 1 MiB), so that the innermost handler runs on a
// second segment or later;
// it checks that the chain still reads 3, 2, 1. Each handler walks its
// stack (stackOf) where Go's calls Callers.
TEST_CASE("TestPanicUseStack", "[stack_test.go]") {
  constexpr int scale = runtime::fixedStack > (256 << 10) ? int(runtime::fixedStack / (256 << 10)) : 1;
  std::string walks, chain;
  int innerSegs = 0;
  auto walk = [&walks] {
    std::string stk = stackOf();
    walks += stk.rfind("goroutine ", 0) == 0 ? "ok " : "bad ";
  };
  try {
    gort::panic("1");
  } catch (const runtime::PanicError&) {
    walk();  // force stack walk
    useStackAndCall(100 * scale, [&] {
      try {
        gort::panic("2");
      } catch (const runtime::PanicError&) {
        walk();  // force stack walk
        useStackAndCall(200 * scale, [&] {
          try {
            gort::panic("3");
          } catch (const runtime::PanicError& e3) {
            walk();  // force stack walk
            chain = panicLinks(e3);
            innerSegs = stackSegmentsInUse();
          }
        });
      }
    });
  }
  CHECK(walks == "ok ok ok ");
  CHECK(chain == "3 2 1");
  CHECK(innerSegs >= 2);
  CHECK(stackSegmentsInUse() == 1);
}

namespace {

/// xtreeNode and makeTree are stack_test.go's: a complete binary tree of
/// depth d in the collected heap.
struct xtreeNode {
  gort::ptr<xtreeNode> l, r;
};

gort::ptr<xtreeNode> makeTree(int d) {
  if (d == 0) return gort::new_<xtreeNode>();
  auto l = makeTree(d - 1);
  auto r = makeTree(d - 1);
  return gort::new_<xtreeNode>(l, r);
}

/// countTree counts the nodes of a tree.
int64_t countTree(const xtreeNode* t) {
  if (t == nullptr) return 0;
  return 1 + countTree(t->l.get()) + countTree(t->r.get());
}

}  // namespace

// stack_test.go:371 at go1.22.12
//
// A panic from far down a grown stack, while the collector has work, is
// recovered, and a walk of the stack after that works. Go's 100 KiB of
// frames is fifty times its first stack; the port's recursion is as many
// KiB as the goroutine's first stack holds, plus 100 (this test runs on
// the main goroutine, whose first stack is larger than fixedStack:
// stack.cpp's mainStackSize), onto a second segment, and the test
// checks that it got there and is back on the first stack after the
// recovery. Beyond Go's checks: the tree built down there, and kept only
// by xtree in this frame on the first stack, is whole after the panic.
TEST_CASE("TestPanicFar", "[stack_test.go]") {
  gort::ptr<xtreeNode> xtree;
  std::string stk;
  int farSegs = 0;
  {
    // At this point we created a large stack and unwound it via recovery.
    // Force a stack walk, which will check the stack's consistency.
    gort::deferred walk{[&stk] { stk = stackOf(); }};
    try {
      auto first = runtime::CurrentStackSpan();
      useStackAndCall(int((first.hi - first.lo) / 1024) + 100, [&] {
        // Kick off the GC and make it do something nontrivial.
        xtree = makeTree(18);
        // Give the GC time to start scanning stacks.
        Sleep(Millisecond);
        farSegs = stackSegmentsInUse();
        gort::panic("1");
      });
    } catch (const runtime::PanicError&) {  // defer func() { recover() }()
    }
  }
  INFO(stk);
  CHECK(stk.rfind("goroutine ", 0) == 0);
  CHECK(farSegs >= 2);
  CHECK(stackSegmentsInUse() == 1);
  runtime::GC();
  CHECK(countTree(xtree.get()) == (int64_t(1) << 19) - 1);
}

// stack_test.go:459 at go1.22.12
TEST_CASE("TestStackOutput", "[stack_test.go]") {
  std::array<char, 1024> b;
  std::string stk(b.data(), size_t(runtime::Stack(std::span<char>(b.data(), b.size()), false)));
  INFO("Stack (len " << stk.size() << "):\n" << stk << "\nStack output should begin with \"goroutine \"");
  CHECK(stk.rfind("goroutine ", 0) == 0);
}

// stack_test.go:468 at go1.22.12
TEST_CASE("TestStackAllOutput", "[stack_test.go]") {
  std::array<char, 1024> b;
  std::string stk(b.data(), size_t(runtime::Stack(std::span<char>(b.data(), b.size()), true)));
  INFO("Stack (len " << stk.size() << "):\n" << stk << "\nStack output should begin with \"goroutine \"");
  CHECK(stk.rfind("goroutine ", 0) == 0);
}

namespace {
/// count: the occurrences of sub in s (strings.Count).
int count(const std::string& s, const std::string& sub) {
  int n = 0;
  for (size_t i = s.find(sub); i != std::string::npos; i = s.find(sub, i + sub.size())) n++;
  return n;
}
}  // namespace

// stack_test.go:827 at go1.22.12
//
// Go's function names become the port's: main.recurseThenCallGo is
// testprog's recurseThenCallGo, main.main its mainMain. An ancestor's frame
// prints as "name(...)" in both; a live frame prints Go's argument words
// ("(0x...") where the port prints the C++ parameter types, so the live
// frame of recurseThenCallGo is the one followed by "(gort::chan".
TEST_CASE("TestTracebackAncestors", "[stack_test.go]") {
  const std::string fnPrefix = "testprog::(anonymous namespace)::";
  for (int tracebackDepth : {0, 1, 5, 50}) {
    auto res = gort_test::runTestProg("TracebackAncestors",
                                      {"GODEBUG=tracebackancestors=" + std::to_string(tracebackDepth)});
    const std::string& output = res.output;
    INFO("GODEBUG=tracebackancestors=" << tracebackDepth << ", output:\n" << output);

    int numGoroutines = 3;
    int numFrames = 2;
    int ancestorsExpected = numGoroutines;
    if (numGoroutines > tracebackDepth) ancestorsExpected = tracebackDepth;

    // goroutineRegex: `goroutine [0-9]+ \[`
    int goroutines = 0;
    for (size_t i = output.find("goroutine "); i != std::string::npos; i = output.find("goroutine ", i + 1)) {
      size_t j = i + std::string("goroutine ").size();
      size_t k = j;
      while (k < output.size() && output[k] >= '0' && output[k] <= '9') k++;
      if (k > j && output.compare(k, 2, " [") == 0) goroutines++;
    }
    REQUIRE(goroutines == 2);

    // Check functions in the traceback.
    for (const char* fn : {"recurseThenCallGo", "mainMain", "printStack", "TracebackAncestors"}) {
      INFO("expected " << fn << " function in traceback");
      CHECK(output.find("\n" + fnPrefix + fn + "(") != std::string::npos);
    }

    CHECK(count(output, "originating from goroutine") == ancestorsExpected);
    CHECK(count(output, fnPrefix + "recurseThenCallGo(...)") == ancestorsExpected * (numFrames + 1));
    CHECK(count(output, "\n" + fnPrefix + "recurseThenCallGo(gort::chan") == 1);
  }
}

// stack_test.go:477 at go1.22.12
//
// Go's test is that a stack copied during gopanic keeps the panic; it
// grows the stack 32 KiB (sixteen times its first stack) before
// panicking. Here the growth is fixedStack/1024 + 32 KiB, so that the
// goroutine has been on a second segment (checked), and holds it as a
// spare, when it panics; the recover must still get the panic.
TEST_CASE("TestStackPanic", "[stack_test.go]") {
  auto res = gort::make_chan<std::string>(1);
  gort::go([res] {
    std::string got = "recover failed";
    try {
      int segs = 0;
      useStackAndCall(int(runtime::fixedStack / 1024) + 32, [&segs] { segs = stackSegmentsInUse(); });
      if (segs < 2) got = "the stack did not grow";
      else gort::panic("test panic");
    } catch (const runtime::PanicError& e) {
      got = e.what();
    }
    res.send(got);
  });
  CHECK(res.recv() == "test panic");
}

namespace {

/// deferLivenessX is DeferLiveness's x ([10]int, escaped to the heap).
using deferLivenessX = std::array<int64_t, 10>;

std::atomic<bool> deferLivenessFreed{false};

/// deferLivenessFn is DeferLiveness's fn, the deferred closure: its
/// capture is the only reference to x once DeferLiveness has stored 42.
/// Go's fn panics "FAIL", which the subprocess prints; a deferred may not
/// throw here (a destructor: gort::deferred), so fn writes what that panic
/// would print to *output instead.
struct deferLivenessFn {
  gort::ptr<deferLivenessX> x;
  std::string* output;
  void operator()() const {
    if ((*x)[0] != 42 || deferLivenessFreed.load()) *output = "panic: FAIL";
  }
};

/// newDeferLivenessFn makes x, with a finalizer that records its being
/// found unreachable, and the closure that refers to it. A function of its
/// own, so that no dead word of deferLiveness's frame still holds x.
__attribute__((noinline)) deferLivenessFn newDeferLivenessFn(std::string* output) {
  auto x = gort::new_<deferLivenessX>();  // var x [10]int; escape(&x)
  runtime::SetFinalizer(x, [](deferLivenessX*) { deferLivenessFreed.store(true); });
  return deferLivenessFn{x, output};
}

/// deferLivenessStore is DeferLiveness's x[0] = 42, in a function of its
/// own so that no register of deferLiveness's frame is left holding x.
__attribute__((noinline)) void deferLivenessStore(deferLivenessFn& fn) { (*fn.x)[0] = 42; }

/// clobberDeadStack zeroes 16 KiB of stack below the caller's frame, where
/// the frames of newDeferLivenessFn and of the runtime calls it made lay:
/// a conservative scan would take a stale copy of x left there for a
/// reference (port only).
__attribute__((noinline)) void clobberDeadStack() {
  std::array<uint8_t, 16 << 10> b;
  std::memset(b.data(), 0, b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
}

/// deferLiveness is testprog's DeferLiveness (testdata/testprog/gc.go);
/// it returns its output.
__attribute__((noinline)) std::string deferLiveness() {
  std::string output;
  {
    gort::deferred fn{newDeferLivenessFn(&output)};  // defer fn()
    clobberDeadStack();

    deferLivenessStore(fn.f);  // x[0] = 42
    runtime::GC();
    runtime::GC();
    runtime::GC();
    // Let the finalizer goroutine run, were x queued for finalizing.
    Sleep(10 * Millisecond);
  }
  return output;
}

}  // namespace

// stack_test.go:867 at go1.22.12
//
// Departure: Go runs testprog's DeferLiveness with GODEBUG=clobberfree=1,
// so that a collection that missed the deferred closure's reference to x
// would overwrite x, and the closure would panic "FAIL". The port has no
// clobberfree; a finalizer on x tells instead whether a collection found
// x unreachable, and the closure panics "FAIL" if so. Without the
// subprocess's GODEBUG there is no reason for one: the test runs here, in
// a goroutine of its own, and wants no output (the empty string).
TEST_CASE("TestDeferLiveness", "[stack_test.go]") {
  deferLivenessFreed = false;
  auto res = gort::make_chan<std::string>(1);
  gort::go([res] { res.send(deferLiveness()); });
  std::string output = res.recv();
  INFO("output:\n" << output << "\n\nwant no output");
  CHECK(output.empty());
}

namespace {

/// deferHeapAndStack(n) computes 2*n (stack_test.go's deferHeapAndStack).
/// Go's even levels defer from a loop (heap-allocated _defer records, on a
/// list the function runs at its end) and its odd levels defer directly
/// (open-coded: the compiler sets a bit per defer statement reached, and
/// the function's exit runs those whose bit is set). In C++ every defer is
/// a destructor, which runs at the end of its scope, so both are declared at
/// the function's scope: the loop's defers are a count that one destructor
/// runs down, and the direct ones are two destructors, each run only if
/// its bit in deferBits is set, as Go's open-coded defers are.
///
/// Departure: each frame also holds Pad bytes. Go's D frames grow its 2 KiB
/// stack several times; runDeferHeapAndStack sizes Pad so that D of them
/// fill two first stacks, and every recursion crosses onto a second
/// segment with its defers pending on the first (checked at the bottom).
std::atomic<int> deferHeapAndStackSegs{0};  // the most segments at the bottom

template <size_t Pad>
__attribute__((noinline)) int deferHeapAndStack(int n) {
  if (n == 0) {
    int segs = stackSegmentsInUse();
    int most = deferHeapAndStackSegs.load();
    while (segs > most && !deferHeapAndStackSegs.compare_exchange_weak(most, segs)) {
    }
    return 0;
  }
  int r = 0;
  {
    std::array<uint8_t, Pad> pad;
    asm volatile("" : : "r"(pad.data()) : "memory");
    uint8_t deferBits = 0;
    gort::deferred direct1{[&] {
      if (deferBits & 1) r++;
    }};
    gort::deferred direct2{[&] {
      if (deferBits & 2) r++;
    }};
    int loopDefers = 0;
    gort::deferred loop{[&] {
      for (; loopDefers > 0; loopDefers--) r++;
    }};
    if (n % 2 == 0) {
      // heap-allocated defers
      for (int i = 0; i < 2; i++) loopDefers++;  // defer func() { r++ }()
    } else {
      // stack-allocated defers
      deferBits |= 1;  // defer func() { r++ }()
      deferBits |= 2;  // defer func() { r++ }()
    }
    r = deferHeapAndStack<Pad>(n - 1);
    auto escaped = gort::new_<std::array<uint8_t, 1024>>();  // force some GCs
    asm volatile("" : : "r"(escaped.get()) : "memory");
    asm volatile("" : : "r"(pad.data()) : "memory");
  }
  return r;
}

/// runDeferHeapAndStack: TestDeferHeapAndStack's loop for one D.
template <int D>
void runDeferHeapAndStack(int P, int N) {
  deferHeapAndStackSegs = 0;
  constexpr size_t pad = 2 * runtime::fixedStack / D;
  auto c = gort::make_chan<int>();
  for (int p = 0; p < P; p++) {
    gort::go([c, N] {
      int bad = 0;
      for (int i = 0; i < N; i++) {
        if (deferHeapAndStack<pad>(D) != 2 * D) bad++;  // panic("bad result")
      }
      c.send(bad);
    });
  }
  int bad = 0;
  for (int p = 0; p < P; p++) bad += c.recv();
  INFO("bad results: " << bad);
  CHECK(bad == 0);
  CHECK(deferHeapAndStackSegs.load() >= 2);
}

}  // namespace

// stack_test.go:874 at go1.22.12
TEST_CASE("TestDeferHeapAndStack", "[stack_test.go]") {
  int P = 4;      // processors
  int N = 10000;  // iterations
  // D = 200: stack depth
  if (testingShort) {
    P /= 2;
    N /= 10;
    runDeferHeapAndStack<200 / 10>(P, N);  // D /= 10
  } else {
    runDeferHeapAndStack<200>(P, N);
  }
}

namespace {

/// finT2: a pointer field keeps it out of the tiny allocator, so that its
/// finalizer runs when it alone is unreachable (mfinal_test.cpp's finT).
struct finT2 {
  int64_t v;
  gort::ptr<int64_t> p;
};

/// deepSum recurses n frames of 1 KiB each and returns the sum of one byte
/// per frame, so every frame's array is live across the recursive call.
__attribute__((noinline)) int64_t deepSum(int n) {
  std::array<uint8_t, 1024> b;
  std::memset(b.data(), uint8_t(n), b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
  if (n == 0) return b[7];
  int64_t s = deepSum(n - 1);
  asm volatile("" : : "r"(b.data()) : "memory");
  return s + b[n % 1024];
}

int64_t deepSumWant(int n) {
  int64_t s = 0;
  for (int k = 0; k <= n; k++) s += uint8_t(k);
  return s;
}

/// unwound counts the destructors run by deepPanic's frames.
std::atomic<int> unwound{0};
struct countOnUnwind {
  ~countOnUnwind() { unwound.fetch_add(1); }
};

/// deepPanic recurses n frames of 1 KiB, each with a destructor, and
/// panics at the bottom.
__attribute__((noinline)) int64_t deepPanic(int n) {
  countOnUnwind c;
  std::array<uint8_t, 1024> b;
  std::memset(b.data(), uint8_t(n), b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
  if (n == 0) gort::panic("bottom");
  int64_t s = deepPanic(n - 1);
  asm volatile("" : : "r"(b.data()) : "memory");
  return s + b[0];
}

/// deepHold recurses n frames of 1 KiB; at the bottom it collects twice
/// and reports whether *alive is still unset (the finalizer of the object
/// the top frame holds has not run).
__attribute__((noinline)) bool deepHold(int n, std::atomic<bool>* finalized) {
  std::array<uint8_t, 1024> b;
  std::memset(b.data(), 0, b.size());
  asm volatile("" : : "r"(b.data()) : "memory");
  if (n == 0) {
    runtime::GC();
    runtime::GC();
    return !finalized->load();
  }
  bool r = deepHold(n - 1, finalized);
  asm volatile("" : : "r"(b.data()) : "memory");
  return r;
}

}  // namespace

// A goroutine recurses 100 MiB deep (Go's limit is 1 GB; the port's first
// stack is 32 KiB) and back, and every frame keeps its bytes. Segments
// double up to 64 MiB, so about ten hold the frames; once the recursion has
// returned, the goroutine is on its first stack again with the others kept
// as spares, which a second recursion reuses (unless a collection scanned
// the goroutine meanwhile: shrinkstack frees them, as the gc_cpu runs at
// GOGC=1 may do between any two lines). Under ThreadSanitizer the
// recursion is 32 MiB: its shadow call stack holds 65536 frames per thread
// (kShadowStackSize) and faults past that, whatever the stack.
TEST_CASE("gort: a goroutine's stack grows by segments to 100 MiB and back", "[gort][stack]") {
  constexpr int depth = (runtime::raceenabled ? 32 : 100) * 1024;  // KiB frames
  auto done = gort::make_chan<bool>(1);
  gort::go([done]() {
    auto before = runtime::CurrentStackSegments();
    bool ok = before.inuse == 1 && before.spares == 0;
    ok = ok && deepSum(depth) == deepSumWant(depth);
    auto after = runtime::CurrentStackSegments();
    ok = ok && after.inuse == 1 && after.inuseBytes == before.inuseBytes;
    ok = ok && (after.spares >= 5 || runtime::MayHaveCollected(before, after));
    ok = ok && deepSum(depth) == deepSumWant(depth);
    auto again = runtime::CurrentStackSegments();
    // Reused, none added (a collection in between frees them instead).
    ok = ok && (again.spares == after.spares || runtime::MayHaveCollected(after, again));
    done.send(ok);
  });
  CHECK(done.recv());
}

// A panic at the bottom of a recursion over several segments unwinds
// through each segment's lessstack frame (its cleanup leaves the segment)
// to a catch on the first stack: every frame's destructor runs, and the
// goroutine is on its first stack again, with the segments kept as spares
// (or freed by a collection that scanned it meanwhile: one run in 18 of
// the gc_cpu loop at GOGC=1 found none).
TEST_CASE("gort: a panic unwinds across stack segments", "[gort][stack]") {
  constexpr int depth = 4 * 1024;  // 4 MiB: four segments
  unwound = 0;
  auto done = gort::make_chan<std::string>(1);
  gort::go([done]() {
    std::string r;
    auto before = runtime::CurrentStackSegments();
    try {
      deepPanic(depth);
      r = "no panic";
    } catch (const runtime::PanicError& e) {
      auto segs = runtime::CurrentStackSegments();
      if (segs.inuse != 1) r = "still on " + std::to_string(segs.inuse) + " segments";
      else if (segs.spares < 2 && !runtime::MayHaveCollected(before, segs))
        r = "only " + std::to_string(segs.spares) + " spares";
      else r = e.what();
    }
    // The stack grows again after the panic.
    if (deepSum(depth) != deepSumWant(depth)) r = "corrupted after the panic";
    done.send(r);
  });
  CHECK(done.recv() == "bottom");
  CHECK(unwound.load() == depth + 1);
}

// The collector scans every segment that holds a goroutine's frames: an
// object that only a frame on the first stack refers to survives two
// collections run from a frame several segments up.
TEST_CASE("gort: the collector scans the older segments of a stack", "[gort][stack][mgc]") {
  static std::atomic<bool> finalized{false};
  finalized = false;
  auto done = gort::make_chan<bool>(1);
  gort::go([done]() {
    auto obj = gort::new_<finT2>();
    runtime::SetFinalizer(obj, [](finT2*) { finalized.store(true); });
    // The only reference: a local of this frame, on the first stack.
    asm volatile("" : : "r"(&obj) : "memory");
    bool ok = deepHold(2 * 1024, &finalized);
    asm volatile("" : : "r"(&obj) : "memory");
    done.send(ok);
  });
  CHECK(done.recv());
}

// A call that crosses the end of a segment in a loop (Go's "hot split",
// the cost that made it leave segmented stacks in Go 1.3) reuses the
// spare segment: the stack memory in use does not grow with the loop.
TEST_CASE("gort: a call at a segment's end in a loop reuses the spare segment", "[gort][stack]") {
  auto done = gort::make_chan<bool>(1);
  gort::go([done]() {
    // A little more than the first stack holds above its guard area: it
    // and one segment.
    int depth = int((runtime::CurrentStackSpan().fixedStack - runtime::stackGuard) / 1024) + 8;
    deepSum(depth);
    auto first = runtime::CurrentStackSegments();
    runtime::MemStats m0, m1;
    runtime::ReadMemStats(&m0);
    for (int i = 0; i < 10000; i++) deepSum(depth);
    runtime::ReadMemStats(&m1);
    auto last = runtime::CurrentStackSegments();
    done.send(first.spares == 1 && last.spares <= 1 && m1.StackInuse <= m0.StackInuse + (1 << 20));
  });
  CHECK(done.recv());
}

// clang cannot give a varargs function the split-stack prologue (LLVM's
// segmented-stack lowering stops with "Segmented stacks do not support
// vararg functions"), so a clang build has no such function to stop at its
// prologue, and this test is GCC's only.
#ifndef __clang__
namespace {

/// varsum: the sum of n longs passed after n; with ten of them, four are
/// on the stack, where va_arg finds them through the overflow area that
/// the split-stack prologue computes.
__attribute__((noinline)) long varsum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  long s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, long);
  va_end(ap);
  return s;
}

}  // namespace

// A varargs function whose prologue is where a preemption request stops
// its goroutine reads its stack arguments right when it runs again. GCC's
// split-stack prologue finds them from the frame pointer after a call of
// __morestack (rbp+24), so __morestack must resume such a function with
// rbp at a frame record there, as lessstack does.
TEST_CASE("gort: a varargs function stopped at its prologue reads its stack arguments", "[gort][stack]") {
  auto done = gort::make_chan<long>(1);
  gort::go([done]() {
    long s = 0;
    for (int i = 0; i < 100; i++) {
      runtime::PreemptAtNextCall();
      s += varsum(10, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }
    done.send(s);
  });
  CHECK(done.recv() == 100 * 55);
}
#endif  // __clang__
