// sync/rwmutex_test.cpp: the tests of go1.22.12 sync/rwmutex_test.go,
// translated test by test. Each TEST_CASE has Go's name, the tags [sync] and
// [rwmutex_test.go], and cites the line of Go's func. (The Benchmark*
// functions of that file belong in bench/.)
//
// Translation rules (as in tests/sync/mutex_test.cpp):
//   - `go f(x)` is gort::go(f, x); `make(chan T, n)` is gort::make_chan<T>(n);
//     `select` is gort::select (-1 for default).
//   - Go's package sync is gort::sync; sync/atomic's functions on a plain
//     int32 are gort::sync::atomic's (sync/atomic/type.hpp).
//   - `defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(-1))` is a
//     gort_test::GOMAXPROCSGuard; the helpers then set GOMAXPROCS as Go's do.
//   - A variable that goroutines share and may still touch after the test
//     goroutine has moved on is held by a std::shared_ptr captured by value.
//   - Where Go's goroutines panic (reader, writer), they panic here too
//     (gort::panic, unrecovered: the test binary dies, as Go's does).
//   - Where Go's test reads testing.Short(), the port reads
//     gort_test::testingShort: Go's short counts by default, as Go's
//     builders run `go test -short`; Go's full counts with GORT_TEST_SHORT=0.
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/sync.hpp"

using gort::sync::Locker;
using gort::sync::RWMutex;
using gort_test::GOMAXPROCSGuard;
using gort_test::testingShort;

namespace {

// rwmutex_test.go:20 at go1.22.12 (parallelReader)
void parallelReader(RWMutex* m, gort::chan<bool> clocked, gort::chan<bool> cunlock,
                    gort::chan<bool> cdone) {
  m->RLock();
  clocked.send(true);
  (void)cunlock.recv();
  m->RUnlock();
  cdone.send(true);
}

// rwmutex_test.go:28 at go1.22.12 (doTestParallelReaders)
void doTestParallelReaders(int numReaders, int gomaxprocs) {
  runtime::GOMAXPROCS(gomaxprocs);
  auto m = std::make_shared<RWMutex>();
  auto clocked = gort::make_chan<bool>();
  auto cunlock = gort::make_chan<bool>();
  auto cdone = gort::make_chan<bool>();
  for (int i = 0; i < numReaders; i++) {
    gort::go([m, clocked, cunlock, cdone]() { parallelReader(m.get(), clocked, cunlock, cdone); });
  }
  // Every reader holds the read lock at once before any lets go.
  for (int i = 0; i < numReaders; i++) {
    (void)clocked.recv();
  }
  for (int i = 0; i < numReaders; i++) {
    cunlock.send(true);
  }
  // The readers have finished.
  for (int i = 0; i < numReaders; i++) {
    (void)cdone.recv();
  }
}

/// Go's empty `for i := 0; i < 100; i++ {}`, a little time spent holding the
/// lock. Departure: the compiler barrier keeps C++ from deleting the loop.
inline void spin100() {
  for (int i = 0; i < 100; i++) {
    asm volatile("" ::: "memory");
  }
}

// rwmutex_test.go:57 at go1.22.12 (reader)
void reader(RWMutex* rwm, int num_iterations, int32_t* activity, gort::chan<bool> cdone) {
  for (int i = 0; i < num_iterations; i++) {
    rwm->RLock();
    int32_t n = gort::sync::atomic::AddInt32(activity, 1);
    if (n < 1 || n >= 10000) {
      rwm->RUnlock();
      gort::panic("wlock(" + std::to_string(n) + ")\n");
    }
    spin100();
    gort::sync::atomic::AddInt32(activity, -1);
    rwm->RUnlock();
  }
  cdone.send(true);
}

// rwmutex_test.go:73 at go1.22.12 (writer)
void writer(RWMutex* rwm, int num_iterations, int32_t* activity, gort::chan<bool> cdone) {
  for (int i = 0; i < num_iterations; i++) {
    rwm->Lock();
    int32_t n = gort::sync::atomic::AddInt32(activity, 10000);
    if (n != 10000) {
      rwm->Unlock();
      gort::panic("wlock(" + std::to_string(n) + ")\n");
    }
    spin100();
    gort::sync::atomic::AddInt32(activity, -10000);
    rwm->Unlock();
  }
  cdone.send(true);
}

// rwmutex_test.go:89 at go1.22.12 (HammerRWMutex)
void HammerRWMutex(int gomaxprocs, int numReaders, int num_iterations) {
  runtime::GOMAXPROCS(gomaxprocs);
  // The number of readers inside plus 10000 times the number of writers.
  struct state {
    int32_t activity = 0;
    RWMutex rwm;
  };
  auto s = std::make_shared<state>();
  auto cdone = gort::make_chan<bool>();
  auto goWriter = [&]() {
    gort::go([s, num_iterations, cdone]() { writer(&s->rwm, num_iterations, &s->activity, cdone); });
  };
  auto goReader = [&]() {
    gort::go([s, num_iterations, cdone]() { reader(&s->rwm, num_iterations, &s->activity, cdone); });
  };
  goWriter();
  int i;
  for (i = 0; i < numReaders / 2; i++) {
    goReader();
  }
  goWriter();
  for (; i < numReaders; i++) {
    goReader();
  }
  // Both writers and every reader have finished.
  for (int j = 0; j < 2 + numReaders; j++) {
    (void)cdone.recv();
  }
}

}  // namespace

// rwmutex_test.go:50 at go1.22.12
TEST_CASE("TestParallelReaders", "[sync][rwmutex_test.go]") {
  GOMAXPROCSGuard restore(-1);
  doTestParallelReaders(1, 4);
  doTestParallelReaders(3, 4);
  doTestParallelReaders(4, 2);
}

// rwmutex_test.go:110 at go1.22.12
TEST_CASE("TestRWMutex", "[sync][rwmutex_test.go]") {
  RWMutex m;

  m.Lock();
  if (m.TryLock()) {
    FAIL("TryLock succeeded with mutex locked");
  }
  if (m.TryRLock()) {
    FAIL("TryRLock succeeded with mutex locked");
  }
  m.Unlock();

  if (!m.TryLock()) {
    FAIL("TryLock failed with mutex unlocked");
  }
  m.Unlock();

  if (!m.TryRLock()) {
    FAIL("TryRLock failed with mutex unlocked");
  }
  if (!m.TryRLock()) {
    FAIL("TryRLock failed with mutex rlocked");
  }
  if (m.TryLock()) {
    FAIL("TryLock succeeded with mutex rlocked");
  }
  m.RUnlock();
  m.RUnlock();

  GOMAXPROCSGuard restore(-1);
  int n = 1000;
  if (testingShort) {
    n = 5;
  }
  HammerRWMutex(1, 1, n);
  HammerRWMutex(1, 3, n);
  HammerRWMutex(1, 10, n);
  HammerRWMutex(4, 1, n);
  HammerRWMutex(4, 3, n);
  HammerRWMutex(4, 10, n);
  HammerRWMutex(10, 1, n);
  HammerRWMutex(10, 3, n);
  HammerRWMutex(10, 10, n);
  HammerRWMutex(10, 5, n);
}

// rwmutex_test.go:156 at go1.22.12
TEST_CASE("TestRLocker", "[sync][rwmutex_test.go]") {
  auto wl = std::make_shared<RWMutex>();
  Locker rl;
  auto wlocked = gort::make_chan<bool>(1);
  auto rlocked = gort::make_chan<bool>(1);
  rl = wl->RLocker();
  int n = 10;
  gort::go([wl, rl, n, wlocked, rlocked]() {
    for (int i = 0; i < n; i++) {
      rl.Lock();
      rl.Lock();
      rlocked.send(true);
      wl->Lock();
      wlocked.send(true);
    }
  });
  for (int i = 0; i < n; i++) {
    (void)rlocked.recv();
    rl.Unlock();
    if (gort::select({gort::recv(wlocked)}, gort::default_) == 0) {
      FAIL("RLocker() didn't read-lock it");
    }
    rl.Unlock();
    (void)wlocked.recv();
    if (gort::select({gort::recv(rlocked)}, gort::default_) == 0) {
      FAIL("RLocker() didn't respect the write lock");
    }
    wl->Unlock();
  }
}
