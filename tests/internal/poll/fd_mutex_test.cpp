// internal/poll/fd_mutex_test.cpp: the tests of go1.22.12
// internal/poll/fd_mutex_test.go, translated test by test. Each TEST_CASE has
// Go's name, the tags [poll] and [fd_mutex_test.go], and cites the line of
// Go's func.
//
// Translation rules (as in tests/sync/*_test.cpp):
//   - Go's test goes through export_test.go's XFDMutex, whose methods
//     (Incref, IncrefAndClose, Decref, RWLock, RWUnlock) only call fdMutex's;
//     the port's fdMutex is in a header (internal/poll/fd_mutex.hpp), so the
//     tests call incref, increfAndClose, decref, rwlock and rwunlock directly.
//   - `go f()` is gort::go(f); `make(chan T, n)` is gort::make_chan<T>(n);
//     `select` is gort::select (-1 for default); time.Sleep and time.After
//     are gort::time's (time/time.hpp).
//   - A variable that goroutines share and may still touch after the test
//     goroutine has moved on (a failed test returns early) is held by a
//     std::shared_ptr captured by value.
//   - Catch2's assertions run on the test goroutine only: a goroutine's
//     t.Error sets a shared flag (t.Failed() reads it), and the test
//     goroutine reports it once it has heard from every goroutine.
//   - A deferred recover() is a catch of runtime::PanicError; Go's r.(string)
//     test is CHECK_FALSE(err.RuntimeError()).
//   - testing.Short() is gort_test::testingShort; `defer
//     runtime.GOMAXPROCS(runtime.GOMAXPROCS(P))` is gort_test::GOMAXPROCSGuard.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "../../export_test.hpp"
#include "../../go_math_rand.hpp"
#include "chan.hpp"
#include "go.hpp"
#include "internal/poll/fd_mutex.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "time/time.hpp"

using gort::poll::fdMutex;

// fd_mutex_test.go:16 at go1.22.12
TEST_CASE("TestMutexLock", "[poll][fd_mutex_test.go]") {
  fdMutex mu;

  if (!mu.incref()) FAIL("broken");
  if (mu.decref()) FAIL("broken");

  if (!mu.rwlock(true)) FAIL("broken");
  if (mu.rwunlock(true)) FAIL("broken");

  if (!mu.rwlock(false)) FAIL("broken");
  if (mu.rwunlock(false)) FAIL("broken");
}

// fd_mutex_test.go:41 at go1.22.12
TEST_CASE("TestMutexClose", "[poll][fd_mutex_test.go]") {
  fdMutex mu;
  if (!mu.increfAndClose()) FAIL("broken");

  if (mu.incref()) FAIL("broken");
  if (mu.rwlock(true)) FAIL("broken");
  if (mu.rwlock(false)) FAIL("broken");
  if (mu.increfAndClose()) FAIL("broken");
}

// fd_mutex_test.go:61 at go1.22.12
//
// Four readers queue behind a held read lock; Close must wake them all, and
// each must find the mutex closed.
TEST_CASE("TestMutexCloseUnblock", "[poll][fd_mutex_test.go]") {
  auto c = gort::make_chan<bool>(4);
  auto mu = std::make_shared<fdMutex>();
  auto broken = std::make_shared<std::atomic<bool>>(false);  // a goroutine's t.Error
  mu->rwlock(true);
  for (int i = 0; i < 4; i++) {
    gort::go([c, mu, broken] {
      if (mu->rwlock(true)) {
        broken->store(true);
        return;
      }
      c.send(true);
    });
  }
  // Concurrent goroutines must not be able to read lock the mutex.
  gort::time::Sleep(gort::time::Millisecond);
  if (gort::select({gort::recv(c)}, gort::default_) == 0) FAIL("broken");
  mu->increfAndClose();  // Must unblock the readers.
  for (int i = 0; i < 4; i++) {
    if (gort::select({gort::recv(c), gort::recv(gort::time::After(10 * gort::time::Second))}) == 1) {
      CHECK_FALSE(broken->load());
      FAIL("broken");
    }
  }
  CHECK_FALSE(broken->load());
  if (mu->decref()) FAIL("broken");
  if (!mu->rwunlock(true)) FAIL("broken");
}

// fd_mutex_test.go:97 at go1.22.12
//
// Unlocking what is not locked, or dropping a reference nobody holds,
// panics, and leaves the mutex usable.
TEST_CASE("TestMutexPanic", "[poll][fd_mutex_test.go]") {
  auto ensurePanics = [](auto f) {
    try {
      f();
    } catch (const runtime::PanicError&) {
      return;  // recover() != nil
    }
    FAIL("does not panic");
  };

  fdMutex mu;
  ensurePanics([&] { mu.decref(); });
  ensurePanics([&] { mu.rwunlock(true); });
  ensurePanics([&] { mu.rwunlock(false); });

  ensurePanics([&] {
    mu.incref();
    mu.decref();
    mu.decref();
  });
  ensurePanics([&] {
    mu.rwlock(true);
    mu.rwunlock(true);
    mu.rwunlock(true);
  });
  ensurePanics([&] {
    mu.rwlock(false);
    mu.rwunlock(false);
    mu.rwunlock(false);
  });

  // ensure that it's still not broken
  mu.incref();
  mu.decref();
  mu.rwlock(true);
  mu.rwunlock(true);
  mu.rwlock(false);
  mu.rwunlock(false);
}

// fd_mutex_test.go:125 at go1.22.12
//
// 2^21 references overflow the 20-bit count: the panic is the string
// overflowMsg, not the "inconsistent" one.
TEST_CASE("TestMutexOverflowPanic", "[poll][fd_mutex_test.go]") {
  fdMutex mu1;
  try {
    for (int i = 0; i < 1 << 21; i++) {
      mu1.incref();
    }
    FAIL("did not panic");
  } catch (const runtime::PanicError& r) {
    std::string msg = r.what();
    INFO("wrong panic message \"" << msg << "\"");
    CHECK_FALSE(r.RuntimeError());  // Go: r.(string), not a runtime.Error
    CHECK(msg.find("too many") != std::string::npos);
    CHECK(msg.find("inconsistent") == std::string::npos);
  }
}

// fd_mutex_test.go:146 at go1.22.12
//
// P goroutines take references, read locks and write locks at random; each
// lock must exclude the others of its kind (a pair of counters, bumped one
// after the other under the lock, must always be seen equal).
//
// Go seeds each goroutine's generator with the global rand.Int63(), which
// is safe for concurrent use; here the test goroutine draws the seeds from a
// generator seeded with the clock, one per goroutine, before starting it.
TEST_CASE("TestMutexStress", "[poll][fd_mutex_test.go]") {
  int P = 8;
  int N = int(1e6);
  if (gort_test::testingShort) {
    P = 4;
    N = int(1e4);
  }
  gort_test::GOMAXPROCSGuard restore(P);
  auto done = gort::make_chan<bool>(P);
  struct shared {
    fdMutex mu;
    uint64_t readState[2] = {0, 0};
    uint64_t writeState[2] = {0, 0};
    std::atomic<bool> failed{false};  // t.Failed()
  };
  auto s = std::make_shared<shared>();
  gort_test::gomathrand::Rand seeds(gort::time::Now().UnixNano());
  for (int p = 0; p < P; p++) {
    int64_t seed = seeds.Int63();
    gort::go([done, s, seed, N] {
      // Go's goroutine body; false where Go calls t.Error("broken") and
      // returns.
      auto body = [&] {
        gort_test::gomathrand::Rand r(seed);
        fdMutex& mu = s->mu;
        // Cases 1 and 2 of Go's switch, one body for both: take the read
        // (or write) lock, check that no other reader (writer) is inside,
        // then unlock.
        auto exclusive = [&](bool read, uint64_t* state) {
          if (!mu.rwlock(read)) return false;
          // Ensure that it provides mutual exclusion for readers (writers).
          if (state[0] != state[1]) return false;
          state[0]++;
          state[1]++;
          return !mu.rwunlock(read);
        };
        for (int i = 0; i < N; i++) {
          switch (r.Intn(3)) {
            case 0:
              if (!mu.incref()) return false;
              if (mu.decref()) return false;
              break;
            case 1:
              if (!exclusive(true, s->readState)) return false;
              break;
            case 2:
              if (!exclusive(false, s->writeState)) return false;
              break;
          }
        }
        return true;
      };
      if (!body()) s->failed = true;
      // Go: defer func() { done <- !t.Failed() }()
      done.send(!s->failed);
    });
  }
  for (int p = 0; p < P; p++) {
    if (!done.recv()) FAIL("broken");  // t.FailNow after a goroutine's t.Error
  }
  if (!s->mu.increfAndClose()) FAIL("broken");
  if (!s->mu.decref()) FAIL("broken");
}
