// sync/cond_test.cpp: the tests of go1.22.12 sync/cond_test.go, translated
// test by test. Each TEST_CASE has Go's name, the tags [sync] and
// [cond_test.go], and cites the line of Go's func. (The Benchmark* functions
// of that file belong in bench/.)
//
// Translation rules (as in tests/sync/mutex_test.cpp):
//   - `go f(x)` is gort::go(f, x); `make(chan T, n)` is gort::make_chan<T>(n);
//     `select` is gort::select (-1 for default); chan struct{} is
//     gort::chan<gort::struct_>.
//   - Go's package sync is gort::sync. NewCond(&m) takes a Locker made from
//     the Mutex's address, as Go converts &m to the interface.
//   - The Mutex, the Cond and the variables the goroutines share live in one
//     struct held by a std::shared_ptr that every goroutine captures by value:
//     a goroutine may still be waiting on them when a failed assertion ends
//     the test (Go keeps them alive by garbage collection).
//   - Catch2's assertions are not safe off the test goroutine: where Go's
//     goroutines call t.Error, they record the failure in the shared struct,
//     and the test goroutine asserts after it has waited for them.
//   - A deferred recover() is a catch of runtime::PanicError.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/sync.hpp"

using gort::sync::Cond;
using gort::sync::Mutex;
using gort::sync::NewCond;

namespace {

/// A Mutex and a Cond on it: Go's `var m Mutex; c := NewCond(&m)`.
struct mutexCond {
  Mutex m;
  std::unique_ptr<Cond> c = NewCond(&m);
};

}  // namespace

// cond_test.go:14 at go1.22.12
TEST_CASE("TestCondSignal", "[sync][cond_test.go]") {
  auto s = std::make_shared<mutexCond>();
  int n = 2;
  auto running = gort::make_chan<bool>(n);
  auto awake = gort::make_chan<bool>(n);
  for (int i = 0; i < n; i++) {
    gort::go([s, running, awake]() {
      s->m.Lock();
      running.send(true);
      s->c->Wait();
      awake.send(true);
      s->m.Unlock();
    });
  }
  for (int i = 0; i < n; i++) {
    (void)running.recv();  // every goroutine has run up to its Wait
  }
  while (n > 0) {
    if (gort::select({gort::recv(awake)}, gort::default_) == 0) {
      FAIL("goroutine not asleep");
    }
    s->m.Lock();
    s->c->Signal();
    s->m.Unlock();
    (void)awake.recv();  // deadlocks unless some goroutine woke
    if (gort::select({gort::recv(awake)}, gort::default_) == 0) {
      FAIL("too many goroutines awake");
    }
    n--;
  }
  s->c->Signal();
}

// cond_test.go:52 at go1.22.12
TEST_CASE("TestCondSignalGenerations", "[sync][cond_test.go]") {
  auto s = std::make_shared<mutexCond>();
  int n = 100;
  auto running = gort::make_chan<bool>(n);
  auto awake = gort::make_chan<int>(n);
  for (int i = 0; i < n; i++) {
    gort::go(
        [s, running, awake](int i) {
          s->m.Lock();
          running.send(true);
          s->c->Wait();
          awake.send(i);
          s->m.Unlock();
        },
        i);
    if (i > 0) {
      int a = awake.recv();
      if (a != i - 1) {
        FAIL("wrong goroutine woke up: want " << i - 1 << ", got " << a);
      }
    }
    (void)running.recv();
    s->m.Lock();
    s->c->Signal();
    s->m.Unlock();
  }
}

// cond_test.go:79 at go1.22.12
TEST_CASE("TestCondBroadcast", "[sync][cond_test.go]") {
  struct state : mutexCond {
    bool exit = false;  // guarded by m
  };
  auto s = std::make_shared<state>();
  int n = 200;
  auto running = gort::make_chan<int>(n);
  auto awake = gort::make_chan<int>(n);
  for (int i = 0; i < n; i++) {
    gort::go(
        [s, running, awake](int g) {
          s->m.Lock();
          while (!s->exit) {
            running.send(g);
            s->c->Wait();
            awake.send(g);
          }
          s->m.Unlock();
        },
        i);
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      (void)running.recv();  // deadlocks unless all n are running
    }
    if (i == n - 1) {
      s->m.Lock();
      s->exit = true;
      s->m.Unlock();
    }
    if (gort::select({gort::recv(awake)}, gort::default_) == 0) {
      FAIL("goroutine not asleep");
    }
    s->m.Lock();
    s->c->Broadcast();
    s->m.Unlock();
    std::vector<bool> seen(n);
    for (int j = 0; j < n; j++) {
      int g = awake.recv();
      if (seen[g]) {
        FAIL("goroutine woke up twice");
      }
      seen[g] = true;
    }
  }
  if (gort::select({gort::recv(running)}, gort::default_) == 0) {
    FAIL("goroutine did not exit");
  }
  s->c->Broadcast();
}

// cond_test.go:131 at go1.22.12
//
// Go's goroutines reach the Mutex only through c.L (a Locker), as here.
TEST_CASE("TestRace", "[sync][cond_test.go]") {
  struct state {
    Mutex mu;  // Go: the &Mutex{} given to NewCond
    std::unique_ptr<Cond> c = NewCond(&mu);
    int x = 0;  // guarded by c.L
    // t.Error from the goroutines, recorded for the test goroutine.
    std::atomic<bool> want2Failed{false};
    std::atomic<bool> want3Failed{false};
  };
  auto s = std::make_shared<state>();
  auto done = gort::make_chan<bool>();
  gort::go([s, done]() {
    auto& c = *s->c;
    c.L.Lock();
    s->x = 1;
    c.Wait();
    if (s->x != 2) {
      s->want2Failed = true;  // t.Error("want 2")
    }
    s->x = 3;
    c.Signal();
    c.L.Unlock();
    done.send(true);
  });
  gort::go([s, done]() {
    auto& c = *s->c;
    c.L.Lock();
    for (;;) {
      if (s->x == 1) {
        s->x = 2;
        c.Signal();
        break;
      }
      c.L.Unlock();
      runtime::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.send(true);
  });
  gort::go([s, done]() {
    auto& c = *s->c;
    c.L.Lock();
    for (;;) {
      if (s->x == 2) {
        c.Wait();
        if (s->x != 3) {
          s->want3Failed = true;  // t.Error("want 3")
        }
        break;
      }
      if (s->x == 3) {
        break;
      }
      c.L.Unlock();
      runtime::Gosched();
      c.L.Lock();
    }
    c.L.Unlock();
    done.send(true);
  });
  (void)done.recv();
  (void)done.recv();
  (void)done.recv();
  CHECK_FALSE(s->want2Failed.load());  // "want 2"
  CHECK_FALSE(s->want3Failed.load());  // "want 3"
}

// cond_test.go:187 at go1.22.12
TEST_CASE("TestCondSignalStealing", "[sync][cond_test.go]") {
  for (int iters = 0; iters < 1000; iters++) {
    struct state : mutexCond {
      bool done = false;  // guarded by m
    };
    auto s = std::make_shared<state>();

    // The first waiter.
    auto ch = gort::make_chan<gort::struct_>();
    gort::go([s, ch]() {
      s->m.Lock();
      ch.send({});
      s->c->Wait();
      s->m.Unlock();

      ch.send({});
    });

    (void)ch.recv();
    s->m.Lock();
    s->m.Unlock();

    // The waiter held m when it sent on ch, and this goroutine has since
    // taken m and let it go: so the waiter is inside Wait, with its ticket.
    //
    // Now race a Broadcast against a second waiter. The second may or may
    // not be woken by it; the first must be.
    gort::go([s]() { s->c->Broadcast(); });

    gort::go([s]() {
      s->m.Lock();
      while (!s->done) {
        s->c->Wait();
      }
      s->m.Unlock();
    });

    // The first waiter was woken.
    (void)ch.recv();

    // Let the second waiter go, whether or not the Broadcast reached it.
    s->m.Lock();
    s->done = true;
    s->m.Unlock();
    s->c->Broadcast();
  }
}

// cond_test.go:241 at go1.22.12
//
// Go copies the Cond with reflect, which vet does not see; Cond's copy
// constructor is deleted here, so the copy is a byte-wise std::memcpy
// through void*, which the compiler lets through just as vet lets reflect
// through. Go's deferred recover is the catch; Go fails the test when no
// panic comes, or when it is not the string "sync.Cond is copied".
TEST_CASE("TestCondCopy", "[sync][cond_test.go]") {
  Mutex mu;
  Cond c(&mu);
  c.Signal();
  Cond c2;
  std::memcpy(static_cast<void*>(&c2), static_cast<const void*>(&c), sizeof(Cond));  // c2 := c
  try {
    c2.Signal();
    FAIL("got no panic, expect sync.Cond is copied");
  } catch (const runtime::PanicError& err) {
    INFO("got " << err.what() << ", expect sync.Cond is copied");
    CHECK(std::string(err.what()) == "sync.Cond is copied");
    CHECK_FALSE(err.RuntimeError());
  }
}
