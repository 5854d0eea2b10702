// mfinal_test.cpp: the tests of go1.22.12 runtime/mfinal_test.go, translated
// test by test; each TEST_CASE has Go's name and cites the line of Go's
// func. After them, the port's own checks of finalizers ([gort][mfinal]).
// TestEmptyString is not applicable (tests/inventory/not_applicable.tsv);
// the two benchmarks are in bench/mfinal_bench.cpp.
//
// Waiting. Go's tests run one runtime.GC and then wait for the finalizer.
// Here the collector scans goroutine stacks conservatively, so a word a
// dead frame left behind may keep the object for a cycle or two: the
// tests collect until the finalizer has run, with a deadline of a few
// seconds (awaitFinalizer), and fail when it passes. They allocate the
// objects in a function or goroutine that has returned by then, as Go's
// do, so that no live frame names them.
//
// A finalizer runs on the finalizer goroutine, where Catch2's assertions
// must not be used (they are not thread-safe): the finalizers here send
// what they saw on a channel or store it in an atomic, and the test
// goroutine checks it.
#include <array>
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>

#include "asan.hpp"
#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "slice.hpp"

using gort_test::Millisecond;
using gort_test::Second;
using gort_test::Sleep;

namespace {

/// clearStack: zero the stack below the caller, so that words a returned
/// function left there do not keep its objects through the next
/// collection's conservative scan (as mgc_test.cpp's).
__attribute__((noinline)) void clearStack() {
  volatile uint8_t buf[32 << 10];
  for (auto& b : buf) b = 0;
}

/// awaitFinalizer: collect and yield until done() is true or four seconds
/// (Go's tests' time.After) have passed; whether done() became true.
template <class Done>
bool awaitFinalizer(Done done) {
  auto start = gort::time::Now();
  while (gort::time::Since(start) < 4 * Second) {
    clearStack();
    runtime::GC();
    for (int i = 0; i < 20; i++) {
      if (done()) return true;
      Sleep(Millisecond);
    }
  }
  return done();
}

// mfinal_test.go:23's Tintptr: assignable to *int. A C++ alias is the same
// type, so this case checks nothing Go's conversion rules would; it is kept
// for the line-by-line reading.
using Tintptr = int64_t*;

// mfinal_test.go:54's T: a pointer field keeps the object out of the tiny
// allocator, whose blocks are freed only when every object in them is dead.
struct finT {
  int64_t v;
  gort::ptr<int64_t> p;
};

/// finalizerTypeCase: one row of TestFinalizerType's table: allocate in a
/// goroutine, set finalizer on &T.v there, let the goroutine end, then
/// collect until the finalizer has reported the value it saw.
template <class F>
void finalizerTypeCase(gort::chan<int64_t> ch, F finalizer) {
  auto done = gort::make_chan<bool>(1);
  gort::go([done, finalizer]() mutable {
    int64_t* v = &gort::new_<finT>()->v;
    *v = 97531;
    runtime::SetFinalizer(v, std::move(finalizer));
    v = nullptr;
    done.send(true);
  });
  done.recv();
  REQUIRE(awaitFinalizer([&] { return gort::len(ch) > 0; }));
  int64_t x = ch.recv();
  INFO("finalizer " << x << ", want " << 97531);
  CHECK(x == 97531);
}

}  // namespace

// mfinal_test.go:23 at go1.22.12
//
// The finalizer's parameter may be what the object is, or something it
// converts to. Go's rows are *int, the named pointer type Tintptr (both
// ways), *Tint, the interface Tinter, and any with a 32-byte result. Here:
// int64_t*, Tintptr (an alias), a const pointer, a gort::ptr, a plain
// function pointer, and a generic lambda (the port's any) returning 32
// bytes. Go's *Tint and Tinter rows need conversions between named types
// and interfaces, which C++ does not have.
TEST_CASE("TestFinalizerType", "[mfinal_test.go]") {
  static gort::chan<int64_t> ch;
  ch = gort::make_chan<int64_t>(10);
  auto finalize = [](const int64_t* x) { ch.send(*x); };

  finalizerTypeCase(ch, [finalize](int64_t* v) { finalize(v); });
  finalizerTypeCase(ch, [finalize](Tintptr v) { finalize(v); });
  finalizerTypeCase(ch, [finalize](const int64_t* v) { finalize(v); });
  finalizerTypeCase(ch, [finalize](gort::ptr<int64_t> v) { finalize(v.get()); });
  finalizerTypeCase(ch, +[](int64_t* v) { ch.send(*v); });
  finalizerTypeCase(ch, [finalize](auto v) -> std::array<int64_t, 4> {
    finalize(v);
    return {};
  });
  ch = nullptr;
}

namespace {
// mfinal_test.go:74's bigValue. Go's third field is a string; the port's
// heap objects hold no std::string (its map cannot be derived), so it is
// the text's bytes.
struct bigValue {
  uint64_t fill;
  bool it;
  std::array<char, 40> up;
  bool operator==(const bigValue&) const = default;
};
}  // namespace

// mfinal_test.go:80 at go1.22.12
//
// A finalizer of Go's type func(any) gets the object as an interface; here
// the generic lambda is the port's any, and its parameter's type is the
// object's pointer type (checked at compile time).
TEST_CASE("TestFinalizerInterfaceBig", "[mfinal_test.go]") {
  auto ch = gort::make_chan<bool>(1);
  auto done = gort::make_chan<bool>(1);
  gort::go([ch, done] {
    auto v = gort::new_<bigValue>(bigValue{0xDEADBEEFDEADBEEF, true, {"It matters not how strait the gate"}});
    bigValue old = *v;
    runtime::SetFinalizer(v, [ch, old](auto v) {
      static_assert(std::is_same_v<decltype(v), bigValue*>, "finalizer called with the wrong type");
      // Go: t.Errorf when the value differs; here the test goroutine
      // checks what was sent.
      ch.send(*v == old);
    });
    v = nullptr;
    done.send(true);
  });
  done.recv();
  REQUIRE(awaitFinalizer([&] { return gort::len(ch) > 0; }));
  INFO("finalizer called with a changed value");
  CHECK(ch.recv());
}

// mfinal_test.go:108 at go1.22.12
//
// A zero-sized object is zerobase, shared by all of them: nothing is
// recorded, and nothing must crash.
TEST_CASE("TestFinalizerZeroSizedStruct", "[mfinal_test.go]") {
  struct Z {};
  auto z = gort::new_<Z>();
  runtime::SetFinalizer(z, [](Z*) {});
}

namespace {

// mfinal_test.go:146's objsize and objtype: one object of a size class
// (320 bytes) little else uses, so adjacent ones are easy to find.
constexpr int objsize = 320;
using objtype = std::array<uint8_t, objsize>;

/// adjChunks: two objects, the second right after the first in memory.
/// \gosrc{mfinal_test.go,adjChunks}
std::pair<gort::ptr<objtype>, gort::ptr<objtype>> adjChunks() {
  gort::slice<gort::ptr<objtype>> s;
  for (;;) {
    auto c = gort::new_<objtype>();
    for (auto d : s) {
      if (uintptr_t(c.get()) + sizeof(objtype) == uintptr_t(d.get())) return {c, d};
      if (uintptr_t(d.get()) + sizeof(objtype) == uintptr_t(c.get())) return {d, c};
    }
    s = gort::append(s, c);
  }
}

gort::slice<uint8_t> xsglobal;
std::atomic<bool> emptySliceFin;

/// emptySliceSetup: TestEmptySlice up to its runtime.GC, in a frame of its
/// own that is gone when the test collects (see the file's header).
__attribute__((noinline)) gort::slice<uint8_t> emptySliceSetup() {
  auto [x, y] = adjChunks();

  // An empty slice at x's end. Built at x's end, its pointer would be y's
  // address; a slice with no capacity keeps x's base instead (slice.hpp's
  // sub, as Go's compiler does), so it does not keep y.
  auto xs = gort::slice<uint8_t>{x->data(), objsize, objsize}.sub(objsize, objsize);

  runtime::SetFinalizer(y, [](objtype*) { emptySliceFin.store(true); });
  return xs;
}

}  // namespace

// mfinal_test.go:167 at go1.22.12
TEST_CASE("TestEmptySlice", "[mfinal_test.go]") {
  // Departure: under AddressSanitizer mallocgc puts a redzone after every
  // object, so no two are adjacent and adjChunks would search forever.
  if (runtime::asanenabled) SKIP("no two objects are adjacent under AddressSanitizer: every object gets a redzone");
  emptySliceFin.store(false);
  gort::slice<uint8_t> xs = emptySliceSetup();
  CHECK(awaitFinalizer([] { return emptySliceFin.load(); }));
  xsglobal = xs;  // the empty slice is live up to here
}

namespace {
// mfinal_test.go:218's types and globals. Go's Foo1 and Foo2 point to
// objects the linker allocates in the program's data; here they are
// globals, which is what that means.
struct Object1 {
  gort::slice<uint8_t> Something;
};
struct Object2 {
  uint8_t Something;
};
Object2 foo2obj;
Object1 foo1obj;
Object2* Foo2 = &foo2obj;
Object1* Foo1 = &foo1obj;
}  // namespace

// mfinal_test.go:211 at go1.22.12
//
// Finalizers on globals are accepted and never run (nothing is recorded),
// and removing them is accepted too.
TEST_CASE("TestFinalizerOnGlobal", "[mfinal_test.go]") {
  runtime::SetFinalizer(Foo1, [](Object1*) {});
  runtime::SetFinalizer(Foo2, [](Object2*) {});
  runtime::SetFinalizer(Foo1, nullptr);
  runtime::SetFinalizer(Foo2, nullptr);
}

namespace {
std::atomic<bool> deferKeepAliveFinRun;
}  // namespace

// mfinal_test.go:231 at go1.22.12
//
// `defer runtime.KeepAlive(x)` is a destructor that calls KeepAlive: x is
// live until the scope ends, so its finalizer must not run before. Go's
// -quick skip and t.Parallel do not apply (the port's tests run one at a
// time); Go's time.Sleep is the tests' Sleep.
TEST_CASE("TestDeferKeepAlive", "[mfinal_test.go]") {
  // A pointer type, to stay out of the tiny allocator, as Go's T *int.
  using T = gort::ptr<int>;
  deferKeepAliveFinRun.store(false);
  auto x = gort::new_<T>();
  runtime::SetFinalizer(x, [](T*) { deferKeepAliveFinRun.store(true); });
  struct deferred {
    gort::ptr<T>& x;
    ~deferred() { runtime::KeepAlive(x); }
  } d{x};
  runtime::GC();
  Sleep(Second);
  INFO("finalizer ran prematurely");
  CHECK(!deferKeepAliveFinRun.load());
}

// --- The port's own checks --------------------------------------------------------

namespace {

struct finPayload {
  int64_t value;
};
struct finHolder {
  gort::ptr<finPayload> payload;
};

std::atomic<int64_t> finSeen;
std::atomic<int> finCount;

/// setHolderFinalizer: a holder whose finalizer reads through its pointer,
/// made in a frame that is gone before the test collects.
__attribute__((noinline)) void setHolderFinalizer(int64_t v) {
  auto h = gort::new_<finHolder>();
  h->payload = gort::new_<finPayload>();
  h->payload->value = v;
  runtime::SetFinalizer(h, [](gort::ptr<finHolder> h) {
    finSeen.store(h->payload->value);
    finCount.fetch_add(1);
  });
}

/// setRemovedFinalizer: a finalizer set and then removed.
__attribute__((noinline)) void setRemovedFinalizer() {
  auto h = gort::new_<finHolder>();
  runtime::SetFinalizer(h, [](finHolder*) { finCount.fetch_add(100); });
  runtime::SetFinalizer(h, nullptr);
}

/// awaitFingAsleep: wait (at most four seconds) until the finalizer
/// goroutine has started and parked, so that BlockUntilEmptyFinalizerQueue
/// has a goroutine to look at.
bool awaitFingAsleep() {
  auto start = gort::time::Now();
  while (!runtime::FinalizerGAsleep()) {
    if (gort::time::Since(start) >= 4 * Second) return false;
    Sleep(Millisecond);
  }
  return true;
}

/// setManyFinalizers: n objects with finalizers, more than a finblock holds.
__attribute__((noinline)) void setManyFinalizers(int n) {
  for (int i = 0; i < n; i++) {
    auto h = gort::new_<finHolder>();
    runtime::SetFinalizer(h, [](finHolder*) { finCount.fetch_add(1); });
  }
}

}  // namespace

TEST_CASE("gort: what a dead object with a finalizer reaches stays intact for it", "[gort][mfinal]") {
  finSeen.store(0);
  finCount.store(0);
  setHolderFinalizer(424242);
  // The collection that finds the holder dead must still have marked its
  // payload (markrootSpans), or the payload's slot could be reused and the
  // finalizer read garbage; allocate meanwhile so that freed slots are.
  REQUIRE(awaitFinalizer([] {
    for (int i = 0; i < 1000; i++) gort::new_<finPayload>()->value = -1;
    return finCount.load() > 0;
  }));
  CHECK(finCount.load() == 1);
  CHECK(finSeen.load() == 424242);
}

TEST_CASE("gort: a removed finalizer does not run", "[gort][mfinal]") {
  finCount.store(0);
  setRemovedFinalizer();
  REQUIRE(awaitFingAsleep());
  for (int i = 0; i < 3; i++) {
    clearStack();
    runtime::GC();
  }
  CHECK(runtime::BlockUntilEmptyFinalizerQueue(4 * Second));
  CHECK(finCount.load() == 0);
}

TEST_CASE("gort: every finalizer of many dead objects runs once", "[gort][mfinal]") {
  constexpr int n = 1000;  // about ten finblocks
  finCount.store(0);
  setManyFinalizers(n);
  // Conservative scanning may keep a handful for a while: wait for all.
  bool all = awaitFinalizer([] { return finCount.load() >= n; });
  INFO("ran " << finCount.load() << " of " << n);
  CHECK(all);
  CHECK(runtime::BlockUntilEmptyFinalizerQueue(4 * Second));
  CHECK(finCount.load() == n);
  // The finalizer goroutine parks again once the queue is empty.
  CHECK(runtime::FinalizerGAsleep());
}

TEST_CASE("gort: NumGoroutine does not count the finalizer goroutine", "[gort][mfinal]") {
  // Make sure it exists and waits.
  setRemovedFinalizer();
  REQUIRE(awaitFingAsleep());
  int before = runtime::NumGoroutine();
  static std::atomic<int> seen;
  seen.store(0);
  auto done = gort::make_chan<bool>();
  gort::go([done] {
    auto h = gort::new_<finHolder>();
    runtime::SetFinalizer(h, [](finHolder*) { seen.store(1); });
    done.send(true);
  });
  done.recv();
  REQUIRE(awaitFinalizer([] { return seen.load() == 1; }));
  REQUIRE(runtime::BlockUntilEmptyFinalizerQueue(4 * Second));
  // The goroutine above has ended; the finalizer goroutine, counted as a
  // system goroutine when it started (isSystemGoroutine), is not in the
  // count, before or after running a finalizer.
  for (int i = 0; i < 1000 && runtime::NumGoroutine() > before; i++) Sleep(Millisecond);
  CHECK(runtime::NumGoroutine() == before);
}

TEST_CASE("gort: SetFinalizer's misuse ends with Go's fatal errors", "[gort][mfinal]") {
  struct misuse {
    const char* prog;
    const char* want;
  };
  for (auto [prog, want] : {
           misuse{"SetFinalizerTwice", "fatal error: runtime.SetFinalizer: finalizer already set"},
           misuse{"SetFinalizerStack", "fatal error: runtime.SetFinalizer: pointer not in allocated block"},
           misuse{"SetFinalizerInterior",
                  "fatal error: runtime.SetFinalizer: pointer not at beginning of allocated block"},
           misuse{"SetFinalizerNil", "fatal error: runtime.SetFinalizer: first argument is nil"},
       }) {
    auto res = gort_test::runTestProg(prog);
    INFO(prog << " (" << gort_test::describe(res) << "), output:\n" << res.output);
    CHECK(res.output.find(want) != std::string::npos);
    CHECK(res.output.find("not reached") == std::string::npos);
    CHECK(res.exitStatus == 2);
  }
}

namespace {

/// counted: a channel element whose constructors and destructor keep
/// countedLive, the number of live values.
std::atomic<int64_t> countedLive{0};
struct counted {
  int64_t v = 0;
  counted() { countedLive.fetch_add(1); }
  explicit counted(int64_t x) : v(x) { countedLive.fetch_add(1); }
  counted(const counted& o) noexcept : v(o.v) { countedLive.fetch_add(1); }
  counted(counted&& o) noexcept : v(o.v) { countedLive.fetch_add(1); }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) = default;
  ~counted() { countedLive.fetch_sub(1); }
};

/// fillAndDrop: a buffered channel with three values left in it, dropped
/// when the function returns.
__attribute__((noinline)) void fillAndDrop() {
  auto ch = gort::make_chan<counted>(4);
  for (int64_t i = 1; i <= 3; i++) ch.send(counted(i));
  // One taken out, so the live ones wrap past the buffer's end next.
  (void)ch.recv();
  ch.send(counted(4));
  ch.send(counted(5));
}

}  // namespace

// gort only: a channel is one pointer, copied as Go copies it; the values
// left in the buffer of a channel nothing references any more are
// destroyed by the finalizer makechan set (chan.cpp chanfinalizer), and
// those of a channel still referenced are not.
TEST_CASE("gort: an unreachable channel destroys the values left in its buffer", "[gort][mfinal][chan]") {
  countedLive.store(0);
  auto kept = gort::make_chan<counted>(2);
  kept.send(counted(7));
  kept.send(counted(8));
  auto copy = kept;  // a copy is the same channel
  REQUIRE(copy == kept);
  REQUIRE(countedLive.load() == 2);
  fillAndDrop();
  REQUIRE(countedLive.load() == 6);  // two kept, four dropped
  bool destroyed = awaitFinalizer([] { return countedLive.load() == 2; });
  INFO("live values: " << countedLive.load() << ", want 2");
  CHECK(destroyed);
  CHECK(runtime::BlockUntilEmptyFinalizerQueue(4 * Second));
  CHECK(countedLive.load() == 2);
  // The kept channel's values were left alone.
  CHECK(copy.recv().v == 7);
  CHECK(kept.recv().v == 8);
  CHECK(countedLive.load() == 0);
  runtime::KeepAlive(kept);
}
