// sync/waitgroup_test.cpp: the tests of go1.22.12 sync/waitgroup_test.go,
// translated test by test. Each TEST_CASE has Go's name, the tags [sync] and
// [waitgroup_test.go], and cites the line of Go's func. (The Benchmark*
// functions of that file belong in bench/.)
//
// Translation rules (as in tests/sync/mutex_test.cpp):
//   - `go f(x)` is gort::go(f, x); `make(chan T, n)` is gort::make_chan<T>(n);
//     `select` is gort::select (-1 for default).
//   - Go's package sync is gort::sync; sync/atomic's functions on a plain
//     int32 are gort::sync::atomic's (sync/atomic/type.hpp).
//   - A variable that goroutines share and may still touch after the test
//     goroutine has moved on is held by a std::shared_ptr captured by value.
//   - A deferred recover() is a catch of runtime::PanicError; Go compares the
//     recovered value with a string, so the catch compares what() and checks
//     that the value is a plain panic, not a runtime error.
//   - Catch2's assertions run on the test goroutine only.
#include <catch2/catch_test_macros.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/sync.hpp"

using gort::sync::WaitGroup;

namespace {

// waitgroup_test.go:13 at go1.22.12 (testWaitGroup)
void testWaitGroup(const std::shared_ptr<WaitGroup>& wg1, const std::shared_ptr<WaitGroup>& wg2) {
  int n = 16;
  wg1->Add(n);
  wg2->Add(n);
  auto exited = gort::make_chan<bool>(n);
  for (int i = 0; i != n; i++) {
    gort::go([wg1, wg2, exited]() {
      wg1->Done();
      wg2->Wait();
      exited.send(true);
    });
  }
  wg1->Wait();
  for (int i = 0; i != n; i++) {
    switch (gort::select({gort::recv(exited)}, gort::default_)) {
      case 0:
        FAIL("WaitGroup released group too soon");
      default:
        break;
    }
    wg2->Done();
  }
  for (int i = 0; i != n; i++) {
    (void)exited.recv();  // blocks for good if the barrier failed to let someone out
  }
}

}  // namespace

// waitgroup_test.go:39 at go1.22.12
TEST_CASE("TestWaitGroup", "[sync][waitgroup_test.go]") {
  auto wg1 = std::make_shared<WaitGroup>();
  auto wg2 = std::make_shared<WaitGroup>();

  // The same pair of WaitGroups, eight rounds: each round must leave them
  // ready for the next.
  for (int i = 0; i != 8; i++) {
    testWaitGroup(wg1, wg2);
  }
}

// waitgroup_test.go:49 at go1.22.12
TEST_CASE("TestWaitGroupMisuse", "[sync][waitgroup_test.go]") {
  auto wg = std::make_shared<WaitGroup>();
  try {
    wg->Add(1);
    wg->Done();
    wg->Done();
    FAIL("Should panic");
  } catch (const runtime::PanicError& err) {
    INFO("Unexpected panic: " << err.what());
    CHECK(std::string(err.what()) == "sync: negative WaitGroup counter");
    CHECK_FALSE(err.RuntimeError());
  }
}

// waitgroup_test.go:63 at go1.22.12
TEST_CASE("TestWaitGroupRace", "[sync][waitgroup_test.go]") {
  // About a millisecond of work in Go.
  for (int i = 0; i < 1000; i++) {
    auto wg = std::make_shared<WaitGroup>();
    auto n = std::make_shared<int32_t>(0);
    // goroutine 1
    wg->Add(1);
    gort::go([wg, n]() {
      gort::sync::atomic::AddInt32(n.get(), 1);
      wg->Done();
    });
    // goroutine 2
    wg->Add(1);
    gort::go([wg, n]() {
      gort::sync::atomic::AddInt32(n.get(), 1);
      wg->Done();
    });
    // Both must have counted before Wait returns.
    wg->Wait();
    if (gort::sync::atomic::LoadInt32(n.get()) != 2) {
      FAIL("Spurious wakeup from Wait");
    }
  }
}

// waitgroup_test.go:88 at go1.22.12
//
// Go's point: a WaitGroup placed right after a byte in a struct must still
// work, which on 32-bit platforms needed care for its 64-bit atomic state
// word. In C++ the state word (sync::atomic::Uint64) is declared 8-aligned,
// so the struct pads before it; the port checks that placement too (an
// addition: a misaligned locked access would be a split lock on amd64).
TEST_CASE("TestWaitGroupAlign", "[sync][waitgroup_test.go]") {
  struct X {
    uint8_t x;
    WaitGroup wg;
  };
  auto x = std::make_shared<X>();
  CHECK(reinterpret_cast<uintptr_t>(&x->wg) % 8 == 0);
  x->wg.Add(1);
  gort::go(
      [](std::shared_ptr<X> x) {
        x->wg.Done();
      },
      x);
  x->wg.Wait();
}
