// stack_test.cpp: tests of go1.22.12 runtime/stack_test.go, translated
// (TestStackMem, TestStackCache, TestStackGrowth), and the port's own checks
// ([gort]): a goroutine's stack is carved from a heap span, and it grows by
// segments (stack.cpp): 100 MiB deep and back, a panic unwinding across
// segments, the collector scanning older segments, the hot split.
//
// Translation rules: as in proc_test.cpp (gort::go, gort::make_chan,
// gort_test::Sleep, GOMAXPROCSGuard, testingShort). Go's tests grow stacks
// with recursion over large arrays; the port's first stack is 256 KiB
// (stack.hpp), so most of their recursions stay on it.
//
// The rest of stack_test.go (stack copying, defers and panics over grown
// stacks, tracebacks of wrappers) is not translated yet:
// tests/inventory/covered.txt lists the tests that are.
#include <array>
#include <atomic>
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

namespace {

/// growStackIter is stack_test.go's growStackIter: n frames deep, each
/// passing the address of its local to the next, with a collection at the
/// bottom. Departure: each frame also holds a 1 KiB array. Go's frames are
/// a few dozen bytes and its stacks start at 2 KiB, so 1024 frames make
/// them grow five times; the port's first stack is 256 KiB, and without the
/// array these frames would never leave it. With it, the deepest calls run
/// on a third segment (256 KiB, 512 KiB, 1 MiB).
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

// stack_test.go:77 at go1.22.12
//
// Go grows stacks by copying them; the port adds segments (stack.cpp).
// What the test checks is the same: a goroutine, a locked goroutine and
// the finalizer goroutine recurse past their first stack, with collections
// at the bottom, and every frame still holds what it wrote when the
// recursion comes back. Under -short Go recurses 256 deep at most (here
// about 256 KiB of frames: only the deepest calls leave the first stack);
// the full count reaches 1 MiB. Go's deadline timer (a panic if the
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
// stack is 256 KiB) and back, and every frame keeps its bytes. Segments
// double up to 64 MiB, so about ten hold the frames; once the recursion has
// returned, the goroutine is on its first stack again with the others kept
// as spares, which a second recursion reuses. Under ThreadSanitizer the
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
    ok = ok && after.inuse == 1 && after.spares >= 5 && after.inuseBytes == before.inuseBytes;
    ok = ok && deepSum(depth) == deepSumWant(depth);
    auto again = runtime::CurrentStackSegments();
    ok = ok && again.spares == after.spares;  // reused, none added
    done.send(ok);
  });
  CHECK(done.recv());
}

// A panic at the bottom of a recursion over several segments unwinds
// through each segment's lessstack frame (its cleanup leaves the segment)
// to a catch on the first stack: every frame's destructor runs, and the
// goroutine is on its first stack again.
TEST_CASE("gort: a panic unwinds across stack segments", "[gort][stack]") {
  constexpr int depth = 4 * 1024;  // 4 MiB: four segments
  unwound = 0;
  auto done = gort::make_chan<std::string>(1);
  gort::go([done]() {
    std::string r;
    try {
      deepPanic(depth);
      r = "no panic";
    } catch (const runtime::PanicError& e) {
      auto segs = runtime::CurrentStackSegments();
      if (segs.inuse != 1) r = "still on " + std::to_string(segs.inuse) + " segments";
      else if (segs.spares < 2) r = "only " + std::to_string(segs.spares) + " spares";
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
    // A little more than the first stack: it and one segment.
    int depth = int(runtime::CurrentStackSpan().fixedStack / 1024) + 64;
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
