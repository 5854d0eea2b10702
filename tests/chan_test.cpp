// chan_test.cpp: the channel and select tests of go1.22.12
// runtime/chan_test.go, translated test by test. Each TEST_CASE has Go's name
// and cites the line of Go's func. (The Benchmark* functions of that file are
// in bench/chan_bench.cpp.)
//
// Translation rules (as in proc_test.cpp):
//   - `go f(x)` is gort::go(f, x); `make(chan T, n)` is gort::make_chan<T>(n);
//     `select` is gort::select, whose result is the index of the chosen case
//     (-1 for default).
//   - A variable that Go's closures share and that a goroutine may still
//     touch after the test goroutine has moved on is held by a
//     std::shared_ptr captured by value; sync/atomic is std::atomic.
//   - Catch2's assertions are not safe off the test goroutine, so where Go's
//     goroutines call t.Error/t.Errorf they record the failure in shared
//     state, and the test goroutine asserts after it has waited for them.
//   - sync.WaitGroup and sync.Mutex are gort::sync::WaitGroup and
//     gort::sync::Mutex (sync/sync.hpp). One that a goroutine may still be
//     inside (a Done or Unlock that has released the waiter but not yet
//     returned) when the test goroutine moves on is held by a
//     std::shared_ptr captured by value, as above.
//   - time.Sleep is gort_test::Sleep (export_test.hpp).
//   - Where Go's test reads testing.Short(), the port reads
//     gort_test::testingShort: Go's short counts by default, as Go's
//     builders run `go test -short`; Go's full counts with GORT_TEST_SHORT=0.
//
// Stack shrinking. Go grows goroutine stacks by copying and shrinks them
// during GC (stack.go copystack, shrinkstack), rewriting the pointers that
// sudogs hold into a parked goroutine's stack (adjustsudogs). gort's stacks
// never move (stack.cpp: fixed reservations, -fsplit-stack bound checks), so
// runtime.GC there scans those stacks and never shrinks them.
// TestShrinkStackDuringBlockedSend, TestNoShrinkStackWhileParking and
// TestSelectStackAdjust still call runtime.GC where Go does: the collection
// then runs while a goroutine is parked on (or about to park on) a channel
// with a sudog or a receive slot pointing into its own stack, and what Go
// checks afterwards (the values read, the slot pointers) must hold as is.
#include <algorithm>
#include <any>
#include <array>
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/sync.hpp"

using gort_test::GOMAXPROCSGuard;
using gort_test::Microsecond;
using gort_test::Millisecond;
using gort_test::Sleep;
using gort_test::testingShort;

namespace {

// proc_test.go:538 at go1.22.12 (padData): all zeros, but the compiler cannot
// know that, so stackGrowthRecursive cannot drop its frame.
uint64_t padData[128];

// proc_test.go:540 at go1.22.12 (stackGrowthRecursive): i+1 nested frames of
// about 1 KiB each.
[[gnu::noinline]] void stackGrowthRecursive(int i) {
  uint64_t pad[128];
  std::memcpy(pad, padData, sizeof pad);
  // The copy must really be made in this frame.
  asm volatile("" : : "r"(pad) : "memory");
  for (uint64_t v : pad) {
    if (v != 0) {
      return;
    }
  }
  if (i != 0) {
    stackGrowthRecursive(i - 1);
  }
  // Keep the frame live across the call, so the recursion is not a tail call.
  asm volatile("" : : "r"(pad) : "memory");
}

}  // namespace

// chan_test.go:17 at go1.22.12
TEST_CASE("TestChan", "[chan_test.go]") {
  GOMAXPROCSGuard restore(4);
  int N = 200;
  if (testingShort) {
    N = 20;
  }
  for (int chanCap = 0; chanCap < N; chanCap++) {
    {
      // A receive from an empty channel blocks.
      auto c = gort::make_chan<int>(chanCap);
      // recv1, recv2 (Go: plain bools written racily; atomics here).
      auto recv1 = std::make_shared<std::atomic<bool>>(false);
      auto recv2 = std::make_shared<std::atomic<bool>>(false);
      gort::go([=]() {
        (void)c.recv();
        recv1->store(true);
      });
      gort::go([=]() {
        (void)c.recv2();
        recv2->store(true);
      });
      Sleep(Millisecond);
      if (recv1->load() || recv2->load()) {
        FAIL("chan[" << chanCap << "]: receive from empty chan");
      }
      // A non-blocking receive does not block.
      int v = 0;
      bool ok = false;
      switch (gort::select({gort::recv(c)}, gort::default_)) {
        case 0:
          FAIL("chan[" << chanCap << "]: receive from empty chan");
        default:
          break;
      }
      switch (gort::select({gort::recv(c, &v, &ok)}, gort::default_)) {
        case 0:
          FAIL("chan[" << chanCap << "]: receive from empty chan");
        default:
          break;
      }
      c.send(0);
      c.send(0);
    }

    {
      // A send to a full channel blocks.
      auto c = gort::make_chan<int>(chanCap);
      for (int i = 0; i < chanCap; i++) {
        c.send(i);
      }
      auto sent = std::make_shared<std::atomic<uint32_t>>(0);
      gort::go([=]() {
        c.send(0);
        sent->store(1);
      });
      Sleep(Millisecond);
      if (sent->load() != 0) {
        FAIL("chan[" << chanCap << "]: send to full chan");
      }
      // A non-blocking send does not block.
      switch (gort::select({gort::send(c, 0)}, gort::default_)) {
        case 0:
          FAIL("chan[" << chanCap << "]: send to full chan");
        default:
          break;
      }
      (void)c.recv();
    }

    {
      // A closed channel delivers what it buffered, then zero.
      auto c = gort::make_chan<int>(chanCap);
      for (int i = 0; i < chanCap; i++) {
        c.send(i);
      }
      gort::close(c);
      for (int i = 0; i < chanCap; i++) {
        int v = c.recv();
        if (v != i) {
          FAIL("chan[" << chanCap << "]: received " << v << ", expected " << i);
        }
      }
      if (int v = c.recv(); v != 0) {
        FAIL("chan[" << chanCap << "]: received " << v << ", expected " << 0);
      }
      if (auto [v, ok] = c.recv2(); v != 0 || ok) {
        FAIL("chan[" << chanCap << "]: received " << v << "/" << ok << ", expected 0/false");
      }
    }

    {
      // close wakes a blocked receiver.
      auto c = gort::make_chan<int>(chanCap);
      auto done = gort::make_chan<bool>();
      gort::go([=]() {
        auto [v, ok] = c.recv2();
        done.send(v == 0 && ok == false);
      });
      Sleep(Millisecond);
      gort::close(c);
      if (!done.recv()) {
        FAIL("chan[" << chanCap << "]: received non zero from closed chan");
      }
    }

    {
      // 100 integers arrive intact and in FIFO order.
      auto c = gort::make_chan<int>(chanCap);
      gort::go([=]() {
        for (int i = 0; i < 100; i++) {
          c.send(i);
        }
      });
      for (int i = 0; i < 100; i++) {
        int v = c.recv();
        if (v != i) {
          FAIL("chan[" << chanCap << "]: received " << v << ", expected " << i);
        }
      }

      // The same, received with recv2.
      gort::go([=]() {
        for (int i = 0; i < 100; i++) {
          c.send(i);
        }
      });
      for (int i = 0; i < 100; i++) {
        auto [v, ok] = c.recv2();
        if (!ok) {
          FAIL("chan[" << chanCap << "]: receive failed, expected " << i);
        }
        if (v != i) {
          FAIL("chan[" << chanCap << "]: received " << v << ", expected " << i);
        }
      }

      // 4 senders of 1000 integers each and 4 receivers: every value
      // arrives exactly P times.
      constexpr int P = 4;
      constexpr int L = 1000;
      for (int p = 0; p < P; p++) {
        gort::go([=]() {
          for (int i = 0; i < L; i++) {
            c.send(i);
          }
        });
      }
      auto done = gort::make_chan<std::map<int, int>>();
      for (int p = 0; p < P; p++) {
        gort::go([=]() {
          std::map<int, int> recv;
          for (int i = 0; i < L; i++) {
            int v = c.recv();
            recv[v] = recv[v] + 1;
          }
          done.send(std::move(recv));
        });
      }
      std::map<int, int> recv;
      for (int p = 0; p < P; p++) {
        for (auto [k, v] : done.recv()) {
          recv[k] = recv[k] + v;
        }
      }
      if (recv.size() != L) {
        FAIL("chan[" << chanCap << "]: received " << recv.size() << " values, expected " << L);
      }
      for (auto [k, v] : recv) {
        if (v != P) {
          FAIL("chan[" << chanCap << "]: received " << v << " values, expected " << P);
        }
      }
    }

    {
      // len and cap.
      auto c = gort::make_chan<int>(chanCap);
      if (gort::len(c) != 0 || gort::cap(c) != chanCap) {
        FAIL("chan[" << chanCap << "]: bad len/cap, expect 0/" << chanCap << ", got "
                     << gort::len(c) << "/" << gort::cap(c));
      }
      for (int i = 0; i < chanCap; i++) {
        c.send(i);
      }
      if (gort::len(c) != chanCap || gort::cap(c) != chanCap) {
        FAIL("chan[" << chanCap << "]: bad len/cap, expect " << chanCap << "/" << chanCap
                     << ", got " << gort::len(c) << "/" << gort::cap(c));
      }
    }
  }
}

// chan_test.go:203 at go1.22.12
//
// Go does not wait for the goroutines and checks t.Failed() on the next
// iteration, so a failure in the last ones could go unseen. Here each
// goroutine also reports on `finished`, and the test waits for all of them
// before its final check.
TEST_CASE("TestNonblockRecvRace", "[chan_test.go]") {
  int n = 10000;
  if (testingShort) {
    n = 100;
  }
  auto failures = std::make_shared<std::atomic<int>>(0);
  auto finished = gort::make_chan<bool>(n);
  int started = 0;
  for (int i = 0; i < n; i++) {
    auto c = gort::make_chan<int>(1);
    c.send(1);
    gort::go([=]() {
      switch (gort::select({gort::recv(c)}, gort::default_)) {
        case 0:
          break;
        default:
          failures->fetch_add(1);  // t.Error("chan is not ready")
      }
      finished.send(true);
    });
    started++;
    gort::close(c);
    (void)c.recv();
    if (failures->load() != 0) {  // t.Failed()
      break;
    }
  }
  for (int i = 0; i < started; i++) {
    finished.recv();
  }
  INFO("chan is not ready (" << failures->load() << " times)");
  CHECK(failures->load() == 0);
}

// chan_test.go:240 at go1.22.12
//
// A select acts on the channels' states at one instant: from the moment the
// goroutine starts, c1 or c2 is ready at every instant, so its non-blocking
// select must never take the default case.
TEST_CASE("TestNonblockSelectRace", "[chan_test.go]") {
  int n = 100000;
  if (testingShort) {
    n = 1000;
  }
  auto done = gort::make_chan<bool>(1);
  for (int i = 0; i < n; i++) {
    auto c1 = gort::make_chan<int>(1);
    auto c2 = gort::make_chan<int>(1);
    c1.send(1);
    gort::go([=]() {
      switch (gort::select({gort::recv(c1), gort::recv(c2)}, gort::default_)) {
        case 0:
        case 1:
          break;
        default:
          done.send(false);
          return;
      }
      done.send(true);
    });
    c2.send(1);
    (void)gort::select({gort::recv(c1)}, gort::default_);
    if (!done.recv()) {
      FAIL("no chan is ready");
    }
  }
}

// chan_test.go:272 at go1.22.12
//
// TestNonblockSelectRace with close(c2) instead of c2 <- 1.
TEST_CASE("TestNonblockSelectRace2", "[chan_test.go]") {
  int n = 100000;
  if (testingShort) {
    n = 1000;
  }
  auto done = gort::make_chan<bool>(1);
  for (int i = 0; i < n; i++) {
    auto c1 = gort::make_chan<int>(1);
    auto c2 = gort::make_chan<int>();
    c1.send(1);
    gort::go([=]() {
      switch (gort::select({gort::recv(c1), gort::recv(c2)}, gort::default_)) {
        case 0:
        case 1:
          break;
        default:
          done.send(false);
          return;
      }
      done.send(true);
    });
    gort::close(c2);
    (void)gort::select({gort::recv(c1)}, gort::default_);
    if (!done.recv()) {
      FAIL("no chan is ready");
    }
  }
}

// chan_test.go:303 at go1.22.12
//
// A select that both sends and receives on one channel must neither crash
// nor deadlock, and (unbuffered) must never receive its own send.
TEST_CASE("TestSelfSelect", "[chan_test.go]") {
  GOMAXPROCSGuard restore(2);
  for (int chanCap : {0, 10}) {
    auto wg = std::make_shared<gort::sync::WaitGroup>();
    wg->Add(2);
    auto selfReceives = std::make_shared<std::atomic<int>>(0);
    auto c = gort::make_chan<int>(chanCap);
    for (int p = 0; p < 2; p++) {
      gort::go([=]() {
        for (int i = 0; i < 1000; i++) {
          int v = -1;
          bool received;
          if (p == 0 || i % 2 == 0) {
            received = gort::select({gort::send(c, p), gort::recv(c, &v)}) == 1;
          } else {
            received = gort::select({gort::recv(c, &v), gort::send(c, p)}) == 0;
          }
          if (received && chanCap == 0 && v == p) {
            selfReceives->fetch_add(1);  // t.Errorf("self receive")
            break;                       // return (to the deferred wg.Done())
          }
        }
        wg->Done();  // defer wg.Done()
      });
    }
    wg->Wait();
    INFO("self receive (chan cap " << chanCap << ")");
    CHECK(selfReceives->load() == 0);
  }
}

// chan_test.go:342 at go1.22.12
//
// Plain senders and receivers on each of four channels, plus one goroutine
// that sends on all four in one select and one that receives from all four
// in one select, removing (nil-ing) each channel when its quota is met. The
// whole must not deadlock (if it did, the runtime's deadlock check or the
// harness would stop the test).
TEST_CASE("TestSelectStress", "[chan_test.go]") {
  GOMAXPROCSGuard restore(10);
  std::array<gort::chan<int>, 4> c;
  c[0] = gort::make_chan<int>();
  c[1] = gort::make_chan<int>();
  c[2] = gort::make_chan<int>(2);
  c[3] = gort::make_chan<int>(3);
  int N = int(1e5);
  if (testingShort) {
    N /= 10;
  }
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(10);
  for (int k = 0; k < 4; k++) {
    gort::go([=]() {
      for (int i = 0; i < N; i++) {
        c[k].send(0);
      }
      wg->Done();
    });
    gort::go([=]() {
      for (int i = 0; i < N; i++) {
        (void)c[k].recv();
      }
      wg->Done();
    });
  }
  gort::go([=]() {
    std::array<int, 4> n{};
    auto c1 = c;
    for (int i = 0; i < 4 * N; i++) {
      // The cases in Go's order: c1[3], c1[2], c1[0], c1[1].
      switch (gort::select({gort::send(c1[3], 0), gort::send(c1[2], 0), gort::send(c1[0], 0),
                            gort::send(c1[1], 0)})) {
        case 0:
          n[3]++;
          if (n[3] == N) {
            c1[3] = nullptr;
          }
          break;
        case 1:
          n[2]++;
          if (n[2] == N) {
            c1[2] = nullptr;
          }
          break;
        case 2:
          n[0]++;
          if (n[0] == N) {
            c1[0] = nullptr;
          }
          break;
        case 3:
          n[1]++;
          if (n[1] == N) {
            c1[1] = nullptr;
          }
          break;
      }
    }
    wg->Done();
  });
  gort::go([=]() {
    std::array<int, 4> n{};
    auto c1 = c;
    for (int i = 0; i < 4 * N; i++) {
      switch (gort::select({gort::recv(c1[0]), gort::recv(c1[1]), gort::recv(c1[2]),
                            gort::recv(c1[3])})) {
        case 0:
          n[0]++;
          if (n[0] == N) {
            c1[0] = nullptr;
          }
          break;
        case 1:
          n[1]++;
          if (n[1] == N) {
            c1[1] = nullptr;
          }
          break;
        case 2:
          n[2]++;
          if (n[2] == N) {
            c1[2] = nullptr;
          }
          break;
        case 3:
          n[3]++;
          if (n[3] == N) {
            c1[3] = nullptr;
          }
          break;
      }
    }
    wg->Done();
  });
  wg->Wait();
}

// chan_test.go:437 at go1.22.12
//
// With c1 and c2 always ready, a select over c3, c4, c1, c2 must pick c1 and
// c2 about equally often: the test fails beyond 10 standard deviations of a
// fair coin, as Go's does. (Go skips it as flaky only on linux/ppc64le.)
TEST_CASE("TestSelectFairness", "[chan_test.go]") {
  constexpr int trials = 10000;
  auto c1 = gort::make_chan<uint8_t>(trials + 1);
  auto c2 = gort::make_chan<uint8_t>(trials + 1);
  for (int i = 0; i < trials + 1; i++) {
    c1.send(1);
    c2.send(2);
  }
  auto c3 = gort::make_chan<uint8_t>();
  auto c4 = gort::make_chan<uint8_t>();
  auto out = gort::make_chan<uint8_t>();
  auto done = gort::make_chan<uint8_t>();
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(1);
  gort::go([=]() {
    for (;;) {
      uint8_t b = 0;
      (void)gort::select(
          {gort::recv(c3, &b), gort::recv(c4, &b), gort::recv(c1, &b), gort::recv(c2, &b)});
      if (gort::select({gort::send(out, b), gort::recv(done)}) == 1) {
        wg->Done();  // defer wg.Done()
        return;
      }
    }
  });
  int cnt1 = 0, cnt2 = 0;
  for (int i = 0; i < trials; i++) {
    switch (uint8_t b = out.recv(); b) {
      case 1:
        cnt1++;
        break;
      case 2:
        cnt2++;
        break;
      default:
        FAIL("unexpected value " << int(b) << " on channel");
    }
  }
  constexpr double mean = trials * 0.5;
  constexpr double variance = trials * 0.5 * (1 - 0.5);
  double stddev = std::sqrt(variance);
  if (std::abs(double(cnt1) - mean) > 10 * stddev) {
    FAIL_CHECK("unfair select: in " << trials << " trials, results were " << cnt1 << ", "
                                    << cnt2);
  }
  gort::close(done);
  wg->Wait();
}

// chan_test.go:497 at go1.22.12
//
// Sends of an interface value (chan any is gort::chan<std::any>), in a
// one-case and a two-case select with default. Go's test only requires that
// nothing crashes or blocks; the buffer is full, so default is also checked.
TEST_CASE("TestChanSendInterface", "[chan_test.go]") {
  struct mt {};
  mt mv, other;
  mt* m = &mv;
  auto c = gort::make_chan<std::any>(1);
  c.send(m);
  CHECK(gort::select({gort::send(c, std::any(m))}, gort::default_) == -1);
  CHECK(gort::select({gort::send(c, std::any(m)), gort::send(c, std::any(&other))},
                     gort::default_) == -1);
}

// chan_test.go:513 at go1.22.12
//
// A select between two sends of different values picks each about half the
// time.
TEST_CASE("TestPseudoRandomSend", "[chan_test.go]") {
  int n = 100;
  for (int chanCap : {0, n}) {
    auto c = gort::make_chan<int>(chanCap);
    auto l = std::make_shared<std::vector<int>>(n);
    auto m = std::make_shared<gort::sync::Mutex>();
    m->Lock();
    gort::go([=]() {
      for (int i = 0; i < n; i++) {
        runtime::Gosched();
        (*l)[i] = c.recv();
      }
      m->Unlock();
    });
    for (int i = 0; i < n; i++) {
      (void)gort::select({gort::send(c, 1), gort::send(c, 0)});
    }
    m->Lock();  // wait
    int n0 = 0;
    int n1 = 0;
    for (int i : *l) {
      n0 += (i + 1) % 2;
      n1 += i;
    }
    if (n0 <= n / 10 || n1 <= n / 10) {
      FAIL_CHECK("Want pseudorandom, got " << n0 << " zeros and " << n1 << " ones (chan cap "
                                           << chanCap << ")");
    }
  }
}

// chan_test.go:546 at go1.22.12
//
// 23 workers range over a work channel and forward every value; the feeder
// closes the work channel, waits for the workers and closes the result
// channel. Every value must arrive exactly once.
TEST_CASE("TestMultiConsumer", "[chan_test.go]") {
  constexpr int nwork = 23;
  constexpr int niter = 271828;

  const std::vector<int> pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};

  auto q = gort::make_chan<int>(nwork * 3);
  auto r = gort::make_chan<int>(nwork * 3);

  // workers
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  for (int i = 0; i < nwork; i++) {
    wg->Add(1);
    gort::go(
        [=](int w) {
          for (int v : q) {
            // Disturb the near-FIFO order in which workers take values.
            if (pn[size_t(w) % pn.size()] == v) {
              runtime::Gosched();
            }
            r.send(v);
          }
          wg->Done();
        },
        i);
  }

  // feeder and closer. expect is written by the feeder and read after the
  // range over r has ended (close(r) orders the two).
  auto expect = std::make_shared<int>(0);
  gort::go([=]() {
    for (int i = 0; i < niter; i++) {
      int v = pn[size_t(i) % pn.size()];
      *expect += v;
      q.send(v);
    }
    gort::close(q);  // no more work
    wg->Wait();      // workers done
    gort::close(r);  // so no result can follow
  });

  // consume and check
  int n = 0;
  int s = 0;
  for (int v : r) {
    n++;
    s += v;
  }
  if (n != niter || s != *expect) {
    FAIL_CHECK("Expected sum " << *expect << " (got " << s << ") from " << niter << " iter (saw "
                               << n << ")");
  }
}

// chan_test.go:597 at go1.22.12
//
// In Go, runtime.GC shrinks the stack of the sender while it is parked in
// chansend, after it briefly used ~20 KiB, and the receiver must still read
// the right value out of it. In gort the collection scans that parked stack
// and leaves it where it is (see the header); each value is still read by the
// receiver from the sending goroutine's stack slot (chan<T>::send's argument)
// and must arrive intact and in order.
TEST_CASE("TestShrinkStackDuringBlockedSend", "[chan_test.go]") {
  constexpr int n = 10;
  auto c = gort::make_chan<int>();
  auto done = gort::make_chan<gort::struct_>();

  gort::go([=]() {
    for (int i = 0; i < n; i++) {
      c.send(i);
      // Use a lot of stack for a moment.
      stackGrowthRecursive(20);
    }
    done.send(gort::struct_{});
  });

  for (int i = 0; i < n; i++) {
    int x = c.recv();
    if (x != i) {
      FAIL_CHECK("bad channel read: want " << i << ", got " << x);
    }
    // Give the sender time to finish with its deep stack and park in the
    // send.
    Sleep(1 * Millisecond);
    // Collect while the sender is parked (Go: this shrinks its stack).
    runtime::GC();
  }
  done.recv();
}

// chan_test.go:629 at go1.22.12
//
// Go's aim is the "racy sudog adjustment" throw: a GC worker shrinking a
// sender's stack in the window after it became scannable and before its
// gopark on the channel completed (go.dev/issue/40641). gort never shrinks a
// stack, but the race that remains is the same window: runtime.GC suspends
// and scans the sender (suspendG, scanstack) while it may be half-way into
// parking with a sudog that points into its stack. Each pair must still
// deliver its n values and finish.
TEST_CASE("TestNoShrinkStackWhileParking", "[chan_test.go]") {
  constexpr int n = 10;
  auto send = [](gort::chan<int> c, gort::chan<gort::struct_> done) {
    for (int i = 0; i < n; i++) {
      c.send(i);
      // Use a lot of stack for a moment, so that (in Go) the GC wants to
      // shrink this stack when it scans it.
      stackGrowthRecursive(20);
    }
    done.send(gort::struct_{});
  };
  auto recv = [](gort::chan<int> c, gort::chan<gort::struct_> done) {
    for (int i = 0; i < n; i++) {
      // Sleep so that the sender always parks fully.
      Sleep(10 * Microsecond);
      (void)c.recv();
    }
    done.send(gort::struct_{});
  };
  for (int i = 0; i < n * 20; i++) {
    auto c = gort::make_chan<int>();
    auto done = gort::make_chan<gort::struct_>();
    gort::go(recv, c, done);
    gort::go(send, c, done);
    // Let the pair get going before the collection.
    Sleep(50 * Microsecond);
    runtime::GC();
    done.recv();
    done.recv();
  }
}

// chan_test.go:692 at go1.22.12
//
// One goroutine can be queued on the same channel more than once (a select
// with a repeated case); waking it through another channel must dequeue all
// of its entries, or the next wake on c would go to it instead of to B.
TEST_CASE("TestSelectDuplicateChannel", "[chan_test.go]") {
  auto c = gort::make_chan<int>();
  auto d = gort::make_chan<int>();
  auto e = gort::make_chan<int>();

  // goroutine A
  gort::go([=]() {
    (void)gort::select({gort::recv(c), gort::recv(c), gort::recv(d)});
    e.send(9);
  });
  Sleep(Millisecond);  // A is queued on c first

  // goroutine B
  gort::go([=]() { (void)c.recv(); });
  Sleep(Millisecond);  // then B is queued on c

  d.send(7);  // wakes A, which must take both of its entries off c.recvq
  e.recv();   // A is done
  c.send(8);  // wakes B; with a corrupted c.recvq this would pick A's stale entry
}

// chan_test.go:721 at go1.22.12
//
// In Go, runtime.GC shrinks the stacks of two goroutines parked in a select
// whose receive slot cx is a pointer on their own stack, and adjustsudogs
// must fix the slot pointers. In gort the collection scans those stacks and
// leaves them in place (see the header): the select's receive slot lives on
// the parked goroutine's stack (after it briefly grew to 10 KiB), one
// goroutine lists each channel twice, and the select is woken by close(d) on
// another case, so cx must keep pointing at val and val must be untouched.
TEST_CASE("TestSelectStackAdjust", "[chan_test.go]") {
  auto c = gort::make_chan<int*>();
  auto d = gort::make_chan<int*>();
  auto ready1 = gort::make_chan<bool>();
  auto ready2 = gort::make_chan<bool>();
  // What each goroutine found (Go: t.Error), read after its second ready:
  // 0 = fine, 1 = cx moved, 2 = val changed, 3 = writing *cx missed val.
  auto errs = std::make_shared<std::array<std::atomic<int>, 2>>();

  auto f = [=](gort::chan<bool> ready, bool dup) {
    // Grow the stack to about 10 KiB for a moment.
    stackGrowthRecursive((10 << 10) / (128 * 8));

    // Ready for the GC (which in Go shrinks this stack).
    ready.send(true);

    int val = 42;
    int* cx = nullptr;
    cx = &val;

    gort::chan<int*> c2;
    gort::chan<int*> d2;
    if (dup) {
      c2 = c;
      d2 = d;
    }

    // This receives from d (or d2); cx must not be written.
    (void)gort::select({gort::recv(c, &cx), gort::recv(c2), gort::recv(d), gort::recv(d2)});

    // cx still points at val, and through it at the same object.
    std::atomic<int>& err = (*errs)[dup ? 1 : 0];
    if (cx != &val) {
      err = 1;  // t.Error("cx no longer points to val")
    } else if (val != 42) {
      err = 2;  // t.Error("val changed")
    } else {
      *cx = 43;
      if (val != 43) {
        err = 3;  // t.Error("changing *cx failed to change val")
      }
    }
    ready.send(true);
  };

  gort::go(f, ready1, false);
  gort::go(f, ready2, true);

  // Let the goroutines get into the select.
  ready1.recv();
  ready2.recv();
  Sleep(10 * Millisecond);

  // Collect while both goroutines are parked in the select (Go: this
  // shrinks their stacks).
  runtime::GC();

  // Wake the selects.
  gort::close(d);
  ready1.recv();
  ready2.recv();
  for (int dup = 0; dup < 2; dup++) {
    INFO("goroutine with dup=" << (dup ? "true" : "false")
                               << " (1: cx no longer points to val, 2: val changed, 3: changing "
                                  "*cx failed to change val)");
    CHECK((*errs)[dup].load() == 0);
  }
}

// gort only: cases built at run time in a std::vector<gort::scase>, which
// moves its cases each time it grows. Each send case must carry its value
// through those moves, for trivially destructible values (int64_t, kept in
// the case's inline buffer) and for ones with destructors (std::string, long
// enough to live on the heap) alike.
TEST_CASE("gort: select cases built in a growing vector keep their values", "[gort][select]") {
  constexpr int n = 40;
  // The handles live in the collected heap (gc_allocator): a collection
  // must see them.
  std::vector<gort::chan<int64_t>, gort::gc_allocator<gort::chan<int64_t>>> ci;
  std::vector<gort::chan<std::string>, gort::gc_allocator<gort::chan<std::string>>> cs;
  for (int i = 0; i < n; i++) {
    ci.push_back(gort::make_chan<int64_t>(i == n - 1 ? 1 : 0));  // only the last has room
    cs.push_back(gort::make_chan<std::string>(i == n / 2 ? 1 : 0));
  }
  std::vector<gort::scase> cases;  // no reserve: it reallocates as it grows
  for (int i = 0; i < n; i++) cases.push_back(gort::send(ci[i], int64_t(1000 + i)));
  int chosen = gort::select(cases, gort::default_);
  REQUIRE(chosen == n - 1);
  CHECK(ci[n - 1].recv() == 1000 + n - 1);

  std::vector<gort::scase> scases;
  const std::string tail(100, 'x');  // longer than the small-string buffer
  for (int i = 0; i < n; i++) scases.push_back(gort::send(cs[i], std::to_string(i) + tail));
  chosen = gort::select(scases, gort::default_);
  REQUIRE(chosen == n / 2);
  CHECK(cs[n / 2].recv() == std::to_string(n / 2) + tail);
}
