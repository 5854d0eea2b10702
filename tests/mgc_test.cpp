// mgc_test.cpp: the port's own checks of its collector, tagged [gort]: what
// Go's tests take for granted. What the collector frees, and what it must
// keep: objects reachable only from a goroutine's stack, a parked
// goroutine, a goroutine that has not run yet, a global, a chain of heap
// objects, a channel's buffer, a standard container's gc_allocator buffer.
// The tests ported from go1.22.12's runtime/gc_test.go are in gc_test.cpp.
#include <catch2/catch_test_macros.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"

namespace {

runtime::MemStats readMemStats() {
  runtime::MemStats ms{};
  runtime::ReadMemStats(&ms);
  return ms;
}

struct node {
  gort::ptr<node> next;
  int64_t value;
};

/// A chain of n nodes, values 0..n-1 from the head.
__attribute__((noinline)) gort::ptr<node> makeChain(int n) {
  gort::ptr<node> head;
  for (int i = n - 1; i >= 0; i--) head = gort::new_<node>(head, int64_t(i));
  return head;
}

bool chainIntact(gort::ptr<node> head, int n) {
  int i = 0;
  for (gort::ptr<node> p = head; p; p = p->next, i++) {
    if (p->value != i) return false;
  }
  return i == n;
}

/// Allocate n nodes and drop them all (nothing outside this frame sees
/// them; its stack slots are overwritten by the next calls).
__attribute__((noinline)) void allocateGarbage(int n) {
  for (int i = 0; i < n; i++) runtime::Escape(gort::new_<node>().get());
}

/// churnAndCollect: three rounds of garbage and a collection. What is
/// reachable must survive all three, and each round's garbage takes the
/// slots the last collection freed, over anything freed by mistake.
__attribute__((noinline)) void churnAndCollect() {
  for (int i = 0; i < 3; i++) {
    allocateGarbage(10000);
    runtime::GC();
  }
}

/// big: 1 MiB of bytes, a large object (a span of its own).
struct big {
  uint8_t b[1 << 20];
};

gort::ptr<node> globalChain;  // a root in the program's bss

/// clearStack: overwrite the stack below the caller with zeros, so that
/// words left there by earlier calls (a dead frame's pointers) are not in
/// the frames the next collection scans (the conservative collector's usual
/// aid, Boehm's GC_clear_stack). 32 KiB by default; on a new goroutine's
/// 32 KiB stack that frame would go to a new segment and zero nothing where
/// the dead frames are, so such a caller asks for less.
template <size_t Bytes = 32 << 10>
__attribute__((noinline)) void clearStack() {
  volatile uint8_t buf[Bytes];
  for (auto& b : buf) b = 0;
}

}  // namespace

TEST_CASE("gort: GC frees objects nothing references, and reuses their memory", "[gort][mgc]") {
  runtime::GC();
  runtime::MemStats before = readMemStats();
  constexpr int n = 100000;
  allocateGarbage(n);
  runtime::MemStats mid = readMemStats();
  CHECK(mid.Mallocs - before.Mallocs >= uint64_t(n));
  runtime::GC();
  runtime::MemStats after = readMemStats();
  // Conservative stack scanning may keep a few alive through stale words;
  // almost all must go.
  INFO("freed " << after.Frees - before.Frees << " of " << n);
  CHECK(after.Frees - before.Frees >= uint64_t(n) * 9 / 10);
  CHECK(after.HeapObjects <= before.HeapObjects + uint64_t(n) / 10);
  // The freed slots are reused: another round needs (almost) no new heap
  // memory. A few pages may still be new: a P's page cache or a sweep in
  // progress (GORT_GCSTRESS's cycles) can leave free pages out of reach for
  // a moment, and the heap then grows, as in Go; an eighth of the round is
  // far below what a heap that did not reuse the slots would add.
  uint64_t round = mid.TotalAlloc - before.TotalAlloc;
  allocateGarbage(n);
  runtime::MemStats again = readMemStats();
  INFO("HeapSys " << after.HeapSys << " -> " << again.HeapSys << " for a round of " << round << " bytes");
  // (Signed: HeapSys also shrinks when a stack span is cut from the heap.)
  CHECK(int64_t(again.HeapSys) - int64_t(after.HeapSys) < int64_t(round / 8));
  CHECK(after.NumGC >= before.NumGC + 1);
}

TEST_CASE("gort: GC frees large objects and returns their spans to the heap", "[gort][mgc]") {
  runtime::GC();
  runtime::MemStats before = readMemStats();
  runtime::MemStats mid;
  // The objects are held in a goroutine's frame, which ends before the
  // collections below: no heap object holds them all, so no stale word
  // naming such an object (a P's page-cache base, in the runtime's
  // conservatively scanned p, can name the first object of a span) keeps
  // all 64 MiB.
  int goroutines = runtime::NumGoroutine();
  auto done = gort::make_chan<bool>();
  gort::go([&mid, done] {
    gort::ptr<big> held[64];
    for (int i = 0; i < 64; i++) {
      held[i] = gort::ptr<big>(runtime::newobject<big>());
      held[i]->b[0] = uint8_t(i + 1);
    }
    mid = readMemStats();
    allocateGarbage(10000);
    bool intact = true;
    for (int i = 0; i < 64; i++) intact = intact && held[i]->b[0] == uint8_t(i + 1);
    done.send(intact);
  });
  CHECK(done.recv());
  while (runtime::NumGoroutine() > goroutines) runtime::Gosched();
  CHECK(mid.HeapInuse >= (64u << 20));
  // A dead frame's word may still name an object for a cycle or two
  // (conservative stacks): collect until the heap shrinks, a few times at
  // most.
  runtime::MemStats after;
  for (int i = 0; i < 5; i++) {
    clearStack();
    runtime::GC();
    after = readMemStats();
    if (after.HeapInuse <= before.HeapInuse + (4u << 20)) break;
  }
  INFO("HeapInuse before " << before.HeapInuse << " mid " << mid.HeapInuse << " after " << after.HeapInuse);
  CHECK(after.HeapInuse <= before.HeapInuse + (4u << 20));
  CHECK(after.HeapIdle >= mid.HeapIdle + (60u << 20));
}

namespace {
runtime::g* boundsG;  // the test's g, kept by this root in the bss

/// The objects of the test below, made in a frame of their own (the
/// addresses must not stay in the test's frame, where the conservative
/// stack scan would find them): all[0], a large object, is named only by
/// the g's stack_.hi and syscallstack.hi, as the object right after a
/// goroutine's stack is, and by its syscallbp, as a heap object in the
/// pages of a freed stack is; all[1] only by its _panic, a word the scan
/// must still read. The two pointer stores go through the write barrier,
/// as Go's compiler would make them: a collection may be marking (the
/// stress runs keep one going), and without the barrier `held`, allocated
/// before the mark began, could move from this frame into a g allocated
/// black after the mark began, and be missed (one stress run in about a
/// thousand reported it unreachable).
[[gnu::noinline]] void stackBoundsAlloc(void** all) {
  big* after = runtime::newobject<big>();
  node* held = runtime::newobject<node>();
  runtime::writebarrierptr(&boundsG, runtime::newobject<runtime::g>());
  boundsG->stack_.lo = uintptr_t(after) - 8192;
  boundsG->stack_.hi = uintptr_t(after);
  boundsG->stackguard0 = uintptr_t(after);
  boundsG->stackguard1 = uintptr_t(after);
  boundsG->syscallbp = uintptr_t(after) + 64;
  boundsG->syscallstack = boundsG->stack_;
  runtime::writebarrierptr(&boundsG->_panic, static_cast<void*>(held));
  all[0] = after;
  all[1] = held;
}
}  // namespace

// A g's stack bounds and guards are addresses, not references (Go's are
// uintptrs): a dead g keeps its stack for reuse, and the stack's end is
// the first byte of the next span, which before the fix kept whatever
// object was there alive as long as the g lived (malloc.hpp,
// conservativeScalars<g>).
TEST_CASE("gort: a g's stack bounds keep no object alive", "[gort][mgc]") {
  // g's pointer map: its first four words (stack_.lo, stack_.hi,
  // stackguard0, stackguard1) are not pointers; the next, _panic, may be.
  const uint8_t* mask = runtime::typeOf<runtime::g>.GCData;
  CHECK((mask[0] & 0x1f) == 0x10);
  // And what the map means: an object named only by a g's stack bounds is
  // collected. Departure, as in TestGCTestIsReachable: under
  // AddressSanitizer a copy of the object's address stays in a live frame,
  // where the conservative stack scan finds it, so the map check is all.
  if (runtime::asanenabled) return;
  // `held` must be found every time. `after` may survive a try while
  // collections run meanwhile (the stress runs): a stale word may name it
  // for a cycle (conservative stacks). Most such words were caller-saved
  // registers in __morestack's save area (the test below). Since the area
  // is skipped or zeroed, this body in a loop beside a goroutine that runs
  // runtime::GC back to back keeps `after` in 9 tries of 15 000 at
  // GOMAXPROCS=2 (3 211 of 9 000 before), by a word not yet found. A
  // bounds word that named it would keep it in every try.
  uint64_t got = 0;
  for (int try_ = 0; try_ < 3; try_++) {
    void* all[2];
    stackBoundsAlloc(all);
    clearStack();
    got = runtime::GCTestIsReachable(all, 2);
    boundsG = nullptr;
    REQUIRE((got & 0b10) != 0);
    if (got == 0b10) break;
  }
  CHECK(got == 0b10);
}

namespace {
/// The object of the test below, made in a frame of its own.
[[gnu::noinline]] void saveAreaAlloc(void** all) { all[0] = runtime::newobject<big>(); }

/// Entered through __morestack onto a new segment: its frame is larger
/// than a new goroutine's whole stack (stack.hpp's fixedStack).
[[gnu::noinline]] uint64_t reachableOnNewSegment(void** all) {
  volatile char pad[64 << 10];
  pad[0] = 0;
  return runtime::GCTestIsReachable(all, 1);
}

/// Entered through __morestack and resumed on the same stack, below the
/// save area (morestackcall), when a preemption request is in the guard.
[[gnu::noinline]] uint64_t reachableBelowSaveArea(void** all) { return runtime::GCTestIsReachable(all, 1); }

/// Call f(all) with all[0] also in rcx, a caller-saved register that
/// carries no argument of f's, as the last callee may leave one: f's
/// prologue trips its stack check, and __morestack saves rcx with the
/// argument registers. With preempt, the guard word asks for that trip.
[[gnu::noinline]] uint64_t callWithStaleRcx(uint64_t (*f)(void**), void** all, bool preempt) {
  if (preempt) runtime::setTLSGuard(runtime::stackPreempt);
  register void* stale asm("rcx") = *static_cast<void* volatile*>(&all[0]);
  asm volatile("" : : "r"(stale));
  return f(all);
}
}  // namespace

// __morestack saves every register a function may still need, argument
// or not, in a save area on the stack it was called on. Once the body
// runs, the registers are back and the area is dead; a caller-saved
// register's stale pointer in it kept an object alive for the cycle (the
// stack-bounds test's body above, in a loop beside back-to-back
// collections at GOMAXPROCS=2: 36% of tries). scanstack starts an
// older segment above the area; morestackcall, whose body runs below
// the area on the same stack, zeroes it (asm_amd64.S, MS_CLEAR). Without
// either, this test's object is kept in every try.
TEST_CASE("gort: __morestack's save area keeps no object alive", "[gort][mgc]") {
  if (runtime::asanenabled) return;  // as in the test above
  for (bool sameStack : {false, true}) {
    INFO("the body runs " << (sameStack ? "on the same stack" : "on a new segment"));
    uint64_t got = 0;
    // A stale word elsewhere may keep the object for a cycle (the test
    // above): a few tries at most.
    for (int try_ = 0; try_ < 3; try_++) {
      auto done = gort::make_chan<uint64_t>(1);
      gort::go([done, sameStack] {
        void* all[1];
        saveAreaAlloc(all);
        // With a mark under way (GOGC=1) the assist and gcmarknewobject
        // leave the object's address in mallocgc's dead frames, and the
        // body's frames, which cover them, have slots they do not write.
        clearStack<8 << 10>();
        done.send(sameStack ? callWithStaleRcx(reachableBelowSaveArea, all, true)
                            : callWithStaleRcx(reachableOnNewSegment, all, false));
      });
      got = done.recv();
      if (got == 0) break;
    }
    CHECK(got == 0);
  }
}

TEST_CASE("gort: GC keeps objects reachable from a global, the stack and heap chains", "[gort][mgc]") {
  constexpr int n = 5000;
  globalChain = makeChain(n);
  gort::ptr<node> local = makeChain(n);
  // An interior pointer keeps its whole object.
  int64_t* interior = &makeChain(1)->value;
  churnAndCollect();
  CHECK(chainIntact(globalChain, n));
  CHECK(chainIntact(local, n));
  CHECK(*interior == 0);
  globalChain = nullptr;
}

TEST_CASE("gort: GC keeps what parked, runnable and unstarted goroutines hold", "[gort][mgc]") {
  constexpr int n = 2000;
  auto parked = gort::make_chan<int>();
  auto results = gort::make_chan<bool>(16);
  // A goroutine parked in a receive, holding a chain only on its stack.
  gort::go([parked, results] {
    gort::ptr<node> mine = makeChain(n);
    parked.recv();
    results.send(chainIntact(mine, n));
  });
  // A goroutine that yields in a loop (runnable when the world stops).
  static std::atomic<bool> stop;
  stop = false;
  gort::go([results] {
    gort::ptr<node> mine = makeChain(n);
    while (!stop.load()) runtime::Gosched();
    results.send(chainIntact(mine, n));
  });
  // A goroutine whose closure holds the chain, created and collected before
  // it first runs (the world is stopped right after the go statement, on
  // this P, so it cannot have run: GOMAXPROCS=1 makes that certain; with
  // more Ps it may have started, which is also fine).
  gort::ptr<node> captured = makeChain(n);
  gort::go([captured, results] { results.send(chainIntact(captured, n)); });
  captured = nullptr;
  churnAndCollect();
  parked.send(1);
  stop = true;
  for (int i = 0; i < 3; i++) CHECK(results.recv());
}

// A goroutine in a system call (gort::syscall) is scanned from the stack
// pointer entersyscall saved: its frames, and the callee-saved registers the
// bracket pushed, keep what it holds while it is away.
TEST_CASE("gort: GC keeps what a goroutine in a system call holds", "[gort][mgc]") {
  constexpr int n = 2000;
  auto results = gort::make_chan<bool>(1);
  static std::atomic<bool> release;
  release = false;
  gort::go([results] {
    gort::ptr<node> mine = makeChain(n);
    // In the "kernel" until released (the call may not use the runtime).
    gort::syscall([] {
      while (!release.load()) ::usleep(100);
    });
    results.send(chainIntact(mine, n));
  });
  // Wait until it is in the call (its status says so), then collect.
  for (int i = 0; i < 10000 && !runtime::AnyGoroutineInSyscall(); i++) ::usleep(100);
  CHECK(runtime::AnyGoroutineInSyscall());
  churnAndCollect();
  release = true;
  CHECK(results.recv());
}

namespace {
// A function with a split-stack prologue and a frame, for the test below.
__attribute__((noinline)) int checkedCall(int x) {
  volatile char buf[64];
  buf[0] = char(x);
  return buf[0];
}
}  // namespace

// The C++ inside gort::syscall has split-stack prologues, and a preemption
// request written into the thread's guard word just before the goroutine
// entered the call (preemptone or suspendG racing entersyscall) trips one:
// __morestack saves its own context in g.sched, newstack finds the M cannot
// be preempted (it has no P) and resumes through gogo, which clears
// g.sched.sp. The collector must still scan the goroutine from where it
// entered the call (g.syscallsp), as Go's unwinder does; it once read
// g.sched.sp and stopped with "scanstack: no saved stack pointer" (a
// stress_gc_cpu4 run). A dump must show where the call was made.
TEST_CASE("gort: GC scans a goroutine in a system call from where it entered, after a stack check tripped there", "[gort][mgc]") {
  constexpr int n = 2000;
  auto results = gort::make_chan<bool>(1);
  static std::atomic<bool> release, tripped;
  release = false;
  tripped = false;
  gort::go([results] {
    gort::ptr<node> mine = makeChain(n);
    gort::syscall([] {
      runtime::setTLSGuard(runtime::stackPreempt);  // a request that came late
      checkedCall(1);                               // through __morestack and back
      tripped = true;
      while (!release.load()) ::usleep(100);
    });
    results.send(chainIntact(mine, n));
  });
  for (int i = 0; i < 100000 && !tripped.load(); i++) {
    runtime::Gosched();  // (with one P, the goroutine needs this one's turn)
    ::usleep(10);
  }
  REQUIRE(tripped.load());
  churnAndCollect();
  std::vector<char> buf(1 << 20);
  std::string dump(buf.data(), size_t(runtime::Stack(std::span<char>(buf.data(), buf.size()), true)));
  release = true;
  CHECK(results.recv());
  INFO(dump);
  size_t at = dump.find(" [syscall]:\n");
  REQUIRE(at != std::string::npos);
  // Its first frame is where the call was made, not __morestack.
  CHECK(dump.compare(at + std::strlen(" [syscall]:\n"), 11, "__morestack") != 0);
}

TEST_CASE("gort: GC keeps what a 512-byte array of pointers names", "[gort][mgc]") {
  // 64 words: the largest object whose pointer bits live in its span
  // (heapBitsInSpan). Its bits were once written as none (a shift by 64 in
  // writeHeapBitsSmall and heapBitsSmallForAddr), so every object it held
  // was freed while reachable.
  runtime::GC();
  gort::slice<gort::ptr<big>> held = gort::make<gort::ptr<big>>(64, 64);
  for (int i = 0; i < 64; i++) {
    held[i] = gort::ptr<big>(runtime::newobject<big>());
    held[i]->b[0] = uint8_t(i);
    held[i]->b[sizeof(big) - 1] = uint8_t(i);
    if (i % 8 == 7) runtime::GC();
  }
  runtime::GC();
  runtime::MemStats ms = readMemStats();
  CHECK(ms.HeapInuse >= (64u << 20));
  // Fill the freed memory, if any was freed, with new objects.
  allocateGarbage(10000);
  for (int i = 0; i < 64; i++) {
    INFO("object " << i);
    CHECK(held[i]->b[0] == uint8_t(i));
    CHECK(held[i]->b[sizeof(big) - 1] == uint8_t(i));
  }
}

TEST_CASE("gort: GC runs while goroutines build and check their own structures", "[gort][mgc]") {
  // Each worker keeps a chain on its stack and another behind a heap slice,
  // allocates garbage in between, and checks both; a collector goroutine
  // collects all the while. A worker reports the first corruption it sees.
  constexpr int workers = 4, rounds = 30, n = 300;
  auto done = gort::make_chan<int>(workers);
  static std::atomic<bool> stopGC;
  stopGC = false;
  auto gcDone = gort::make_chan<int>(1);
  gort::go([gcDone] {
    while (!stopGC.load()) runtime::GC();
    gcDone.send(0);
  });
  for (int w = 0; w < workers; w++) {
    gort::go([done] {
      int bad = 0;
      for (int r = 0; r < rounds && bad == 0; r++) {
        gort::ptr<node> onStack = makeChain(n);
        gort::slice<gort::ptr<node>> held = gort::make<gort::ptr<node>>(8, 8);
        for (int i = 0; i < 8; i++) held[i] = makeChain(n / 8);
        allocateGarbage(2000);
        if (!chainIntact(onStack, n)) bad = 1;
        for (int i = 0; i < 8; i++)
          if (!chainIntact(held[i], n / 8)) bad = 2;
      }
      done.send(bad);
    });
  }
  for (int w = 0; w < workers; w++) CHECK(done.recv() == 0);
  stopGC = true;
  gcDone.recv();
}

TEST_CASE("gort: GC keeps what a channel's buffer holds and frees channels nothing references", "[gort][mgc]") {
  constexpr int n = 1000, buffered = 8;
  {
    auto c = gort::make_chan<gort::ptr<node>>(buffered);
    for (int i = 0; i < buffered; i++) c.send(makeChain(n));
    churnAndCollect();
    for (int i = 0; i < buffered; i++) CHECK(chainIntact(c.recv(), n));
  }
  runtime::GC();
  runtime::MemStats before = readMemStats();
  constexpr int channels = 10000;
  [&]() __attribute__((noinline)) {
    for (int i = 0; i < channels; i++) {
      auto c = gort::make_chan<int>(4);
      c.send(i);
    }
  }();
  runtime::GC();
  runtime::MemStats after = readMemStats();
  INFO("frees " << after.Frees - before.Frees);
  CHECK(after.Frees - before.Frees >= uint64_t(channels) * 9 / 10);
}

TEST_CASE("gort: gc_allocator: a standard container's GC references are seen", "[gort][mgc]") {
  // A std::vector's buffer is C++ heap memory, which the collector does
  // not read; with gort::gc_allocator it is a heap object, scanned by the
  // element's pointer map.
  constexpr int n = 500;
  std::vector<gort::ptr<node>, gort::gc_allocator<gort::ptr<node>>> v;
  for (int i = 0; i < 64; i++) v.push_back(makeChain(n));  // grows: old buffers become garbage
  std::vector<gort::chan<int>, gort::gc_allocator<gort::chan<int>>> chans;
  for (int i = 0; i < 16; i++) {
    chans.push_back(gort::make_chan<int>(1));
    chans.back().send(i);
  }
  churnAndCollect();
  for (auto& p : v) CHECK(chainIntact(p, n));
  for (int i = 0; i < 16; i++) CHECK(chans[i].recv() == i);
}

// GODEBUG=gccheckmark=1 (mcheckmark.cpp): the checkmarks keep a bit per
// heap word, so two objects of one span are told apart (go1.22.12's index,
// one bit per arena, would report the second as checkmarked already).
TEST_CASE("gort: the check mode's bitmap tells two objects of a span apart", "[gort][mgc]") {
  gort::ptr<int64_t> a = gort::new_<int64_t>(1);
  gort::ptr<int64_t> b = gort::new_<int64_t>(2);
  auto pa = uintptr_t(a.get()), pb = uintptr_t(b.get());
  runtime::mspan* sa = runtime::spanOf(pa);
  runtime::mspan* sb = runtime::spanOf(pb);
  REQUIRE(sa != nullptr);
  REQUIRE(sb != nullptr);

  // The check's bitmap may only be used while no cycle runs (the stress
  // label's goroutine starts cycles at any time).
  runtime::worldStop stw = runtime::stopTheWorldGC(runtime::stwUnknown);
  runtime::startCheckmarks();
  // setCheckmark wants the mark's bit set: set it for the check, and put
  // it back after. (The bits may be set already: a or b allocated black
  // during a mark, in a span not swept since.)
  runtime::markBits ma = sa->markBitsForIndex(sa->objIndex(pa));
  runtime::markBits mb = sb->markBitsForIndex(sb->objIndex(pb));
  bool aWas = ma.isMarked(), bWas = mb.isMarked();
  ma.setMarked();
  mb.setMarked();
  bool firstA = runtime::setCheckmark(pa, 0, 0, ma);
  bool firstB = runtime::setCheckmark(pb, 0, 0, mb);
  bool againA = runtime::setCheckmark(pa, 0, 0, ma);
  bool againB = runtime::setCheckmark(pb, 0, 0, mb);
  if (!aWas) ma.clearMarked();
  if (!bWas) mb.clearMarked();
  runtime::endCheckmarks();
  runtime::startTheWorldGC(stw);

  CHECK_FALSE(firstA);
  CHECK_FALSE(firstB);  // a's bit is not b's
  CHECK(againA);
  CHECK(againB);
}

// The check's report when the walk meets an object the mark left unmarked:
// Go's two lines, the objects dumped, "fatal error: checkmark found
// unmarked object" and exit status 2 (testprog CheckmarkUnmarked).
TEST_CASE("gort: the check mode reports an unmarked object as Go does", "[gort][mgc]") {
  auto res = gort_test::runTestProg("CheckmarkUnmarked");
  INFO(res.output);
  CHECK(res.exitStatus == 2);
  CHECK(res.output.find("runtime: checkmarks found unexpected unmarked object obj=0x") != std::string::npos);
  CHECK(res.output.find("runtime: found obj at *(0x0+0x0)") != std::string::npos);
  CHECK(res.output.find("obj=0x") != std::string::npos);
  CHECK(res.output.find(" *(obj+0) = 0x2a") != std::string::npos);
  CHECK(res.output.find("fatal error: checkmark found unmarked object") != std::string::npos);
  CHECK(res.output.find("checkmark did not report") == std::string::npos);
}

// An exact pointer into a part of the heap that holds no objects (the
// unused tail of a span): the mark reports it with Go's lines and throws
// (badPointer, testprog GCBadPointer); GODEBUG=invalidptr=0 lets it pass.
TEST_CASE("gort: the mark reports a bad heap pointer as Go does", "[gort][mgc]") {
  auto res = gort_test::runTestProg("GCBadPointer");
  INFO(res.output);
  CHECK(res.exitStatus == 2);
  CHECK(res.output.find("runtime: pointer 0x") != std::string::npos);
  CHECK(res.output.find(" to unused region of span span.base()=0x") != std::string::npos);
  CHECK(res.output.find(" span.state=1\n") != std::string::npos);
  CHECK(res.output.find("runtime: found in object at *(0x") != std::string::npos);
  CHECK(res.output.find(" *(object+0) = 0x") != std::string::npos);
  CHECK(res.output.find("fatal error: found bad pointer in Go heap (incorrect use of unsafe or cgo?)") !=
        std::string::npos);
  CHECK(res.output.find("\nok") == std::string::npos);

  auto off = gort_test::runTestProg("GCBadPointer", {"GODEBUG=invalidptr=0"});
  INFO(off.output);
  CHECK(off.exitStatus == 0);
  CHECK(off.output == "ok\n");
}

// GODEBUG=gcstoptheworld=1 holds user goroutines back for the whole mark
// (schedEnableUser), as Go's does; without it the mark runs beside them,
// which the same probe sees.
TEST_CASE("gort: gcstoptheworld=1 keeps user goroutines off the Ps while marking", "[gort][mgc]") {
  auto stw = gort_test::runTestProg("GCStopTheWorldUser", {"GODEBUG=gcstoptheworld=1"});
  INFO(stw.output);
  CHECK(stw.exitStatus == 0);
  CHECK(stw.output == "steps during a mark: 0\n");

  auto concurrent = gort_test::runTestProg("GCStopTheWorldUser");
  INFO(concurrent.output);
  CHECK(concurrent.exitStatus == 0);
  CHECK(concurrent.output.rfind("steps during a mark: ", 0) == 0);
  CHECK(concurrent.output != "steps during a mark: 0\n");
}

// The words of a type whose map cannot be derived are candidates, not
// pointers: bytes of a std::string in a channel's buffer that spell the
// address of a span's unused tail must neither be reported (badPointer)
// nor grey a free slot.
TEST_CASE("gort: GC does not take the bytes of a buffered std::string for pointers", "[gort][mgc]") {
  // An address where no object is: the tail of a span, past its last
  // object (the first object size whose span has one: 48 bytes natively,
  // other sizes under ASan's redzones).
  gort::slice<uint64_t> keep;
  uintptr_t tail = 0;
  for (int n = 2; n <= 64 && tail == 0; n++) {
    keep = gort::make<uint64_t>(n);
    runtime::mspan* s = runtime::spanOf(reinterpret_cast<uintptr_t>(&keep[0]));
    uintptr_t end = s->base() + uintptr_t(s->nelems) * s->elemsize;
    if (end + 8 < s->base() + (s->npages << runtime::_PageShift)) tail = end + 8;
  }
  REQUIRE(tail != 0);
  std::string bytes(sizeof tail, '\0');
  std::memcpy(bytes.data(), &tail, sizeof tail);  // within the small-string buffer

  auto c = gort::make_chan<std::string>(1);
  c.send(bytes);
  runtime::GC();
  CHECK(c.recv() == bytes);
  runtime::KeepAlive(keep);
}

namespace {

/// contains: whether the barrier records hold w.
bool contains(const std::vector<uintptr_t>& r, const void* w) {
  for (uintptr_t x : r) {
    if (x == reinterpret_cast<uintptr_t>(w)) return true;
  }
  return false;
}

struct pair_ {
  gort::ptr<node> a;
  gort::slice<int64_t> s;
  gort::chan<int> c;
};

}  // namespace

// gort only: Go's compiler emits the write barrier at each pointer store;
// the port's GC references carry it in their copies and assignments
// (runtime::heapPtr), and the runtime's copies of values (typedmemmove,
// typedmemclr, a direct send) and gc_allocator's destroy record the words
// they change. Each case runs with the barrier switched on and the world
// stopped, and looks at what the P's buffer recorded.
TEST_CASE("gort: the write barrier records what GC-reference stores change", "[gort][mgc][wb]") {
  auto holder = gort::new_<pair_>();
  auto x = gort::new_<node>();
  auto y = gort::new_<node>();
  auto arr = gort::make<int64_t>(3);
  auto ch = gort::make_chan<int>();
  holder->a = x;

  SECTION("assignment records the new value, then the old") {
    auto r = runtime::WriteBarrierRecords([&] { holder->a = y; });
    REQUIRE(r.size() == 2);
    CHECK(r[0] == uintptr_t(y.get()));
    CHECK(r[1] == uintptr_t(x.get()));
    CHECK(holder->a == y);
  }
  SECTION("storing the value a slot holds already records nothing") {
    // x = append(x, v) stores the same array until the slice grows.
    auto r = runtime::WriteBarrierRecords([&] { holder->a = x; });
    CHECK(r.empty());
    CHECK(holder->a == x);
  }
  SECTION("a new object records the references it is built with") {
    gort::ptr<node> n;
    auto r = runtime::WriteBarrierRecords([&] { n = gort::new_<node>(y, int64_t(7)); });
    CHECK(contains(r, y.get()));  // newobject's initBarrier
    CHECK(n->next == y);
  }
  SECTION("a GC reference is passed in registers: its copy records nothing") {
    static_assert(std::is_trivially_copy_constructible_v<gort::ptr<node>>);
    static_assert(std::is_trivially_destructible_v<gort::ptr<node>>);
    gort::ptr<node> copy;
    auto r = runtime::WriteBarrierRecords([&] { ::new (&copy) gort::ptr<node>(y); });
    CHECK(r.empty());
  }
  SECTION("slice and channel handles carry the barrier too") {
    auto r = runtime::WriteBarrierRecords([&] {
      holder->s = arr;
      holder->c = ch;
    });
    CHECK(contains(r, arr.array.get()));
    CHECK(contains(r, ch.get()));
  }
  SECTION("no records while the barrier is off") {
    auto before = runtime::WriteBarrierRecords([] {});
    CHECK(before.empty());
    holder->a = y;  // the barrier is off here: only a test and a branch
    auto after = runtime::WriteBarrierRecords([] {});
    CHECK(after.empty());
  }
  SECTION("a send into a buffer and the receive that empties it") {
    auto c = gort::make_chan<gort::ptr<node>>(1);
    auto sent = runtime::WriteBarrierRecords([&] { c.send(x); });
    CHECK(contains(sent, x.get()));  // the value written into the buffer
    gort::ptr<node> got;
    auto recvd = runtime::WriteBarrierRecords([&] { got = c.recv(); });
    CHECK(got == x);
    CHECK(contains(recvd, x.get()));  // the value the cleared slot lost
  }
  SECTION("copy() of GC references records what the destination loses and gains") {
    auto dst = gort::make<gort::ptr<node>>(2);
    auto src = gort::make<gort::ptr<node>>(2);
    dst[0] = x;
    src[0] = y;
    src[1] = x;
    int n = 0;
    auto r = runtime::WriteBarrierRecords([&] { n = gort::copy(dst, src); });  // typedslicecopy
    CHECK(n == 2);
    CHECK(dst[0] == y);
    CHECK(dst[1] == x);
    CHECK(contains(r, y.get()));  // gained by dst[0]
    CHECK(contains(r, x.get()));  // lost by dst[0], gained by dst[1]
  }
  SECTION("gc_allocator's destroy records the references it ends") {
    std::vector<gort::ptr<node>, gort::gc_allocator<gort::ptr<node>>> v;
    v.push_back(y);
    auto r = runtime::WriteBarrierRecords([&] { v.pop_back(); });
    REQUIRE(r.size() == 1);
    CHECK(r[0] == uintptr_t(y.get()));
  }
  runtime::KeepAlive(holder);
}

// The GC CPU limiter is fed by the scheduler and the collector (mgclimit.hpp).
// With a memory limit far below the live heap, every cycle starts as the
// last ends, and each allocation owes an assist as large as the mark: with
// a goroutine allocating on every P, the mutators spend most of their time
// assisting, the collector's share of the CPU passes half, and the limiter
// must turn on within about a CPU-second per P. The live heap is many
// small objects reachable from one slice, so that every assist finds work
// (a single long list would be marked by one worker at a time, and the
// assists would park instead, which is idle time, not the collector's).
// The premise is that this is most of the heap: a heap ten times larger,
// mostly pointer-free, makes the assists light, and the limiter rightly
// stays off (one full run in four did that while a dead g's stack bounds
// kept a 100 MiB object alive; see the test above). And the mark must be
// most of each cycle's time: between two marks the mutators run free
// (sweeping, forEachP flushing every P's cache), and on a starved machine
// that gap stretches while the mark does not. With 256 Ki live nodes, at
// GOMAXPROCS=4 beside a second copy of [mgc], the mark was 61% of the
// wall time, the collector's share about 40%, and the limiter stayed off
// for the whole minute; Go 1.22 does the same with the same program (off
// after 60 s in 2 of 6 such runs, 16-42 s in the rest, 4-5 s alone).
// With 1 Mi live nodes the mark is 95% of the time, and both turn on in
// 2-3 s, starved or not. If it does not turn on, the test reports the
// limiter's and the pacer's state once a second.
TEST_CASE("gort: the GC CPU limiter turns on when a memory limit keeps the collector running", "[gort][mgc]") {
  constexpr int nlive = 1 << 20;  // 8 MiB of slice, 16 MiB of nodes
  auto live = gort::make<gort::ptr<node>>(nlive);
  for (int i = 0; i < nlive; i++) live[i] = gort::new_<node>(nullptr, int64_t(i));

  uint32_t before = runtime::GCCPULimiterLastEnabledCycle();
  int64_t old = gort::debug::SetMemoryLimit(1 << 20);
  std::atomic<bool> stop{false};
  int procs = runtime::GOMAXPROCS(0);
  gort::sync::WaitGroup wg;
  wg.Add(procs);
  for (int p = 0; p < procs; p++) {
    gort::go([&] {
      gort::ptr<node> garbage;
      while (!stop.load()) {
        for (int i = 0; i < 100; i++) garbage = gort::new_<node>(nullptr, int64_t(i));
      }
      wg.Done();
    });
  }
  // On: turned on since the start, or limiting now (an earlier test's load
  // may have left it on, and then lastEnabledCycle does not move).
  auto limiting = [before] {
    return runtime::GCCPULimiterLastEnabledCycle() != before || runtime::gcCPULimiter.limiting();
  };
  auto start = std::chrono::steady_clock::now();
  std::string trail;
  for (int tick = 0; !limiting() && std::chrono::steady_clock::now() - start < std::chrono::seconds(60); tick++) {
    if (tick % 100 == 0) trail += runtime::GCCPULimiterDescribe() + "\n";
    gort_test::Sleep(10 * gort_test::Millisecond);
  }
  bool on = limiting();
  stop.store(true);
  wg.Wait();
  gort::debug::SetMemoryLimit(old);
  runtime::GC();
  INFO("the limiter and the pacer once a second:\n" << trail);
  CHECK(on);
  runtime::KeepAlive(live);
}
