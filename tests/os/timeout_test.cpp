// os/timeout_test.cpp: the tests of go1.22.12 os/timeout_test.go,
// translated test by test: deadlines on the two ends of a pipe, which
// package os puts in the runtime's poller. Each TEST_CASE has Go's name,
// the tags [os] and [timeout_test.go], and cites the line of Go's func.
//
// Translation rules (as in tests/time/sleep_test.cpp):
//   - os.Pipe is gort::os::Pipe; `defer r.Close()` is a closer at the top of
//     the scope; io.Copy and io.Discard are the loops copyForever and
//     discardAll below.
//   - goroutines report through channels (of gort::error) and atomics;
//     Catch2's assertions run on the test goroutine only.
//   - t.Parallel() has no counterpart: Catch2 runs one test at a time.
//   - t.Run's subtests are sections of one TEST_CASE, named as Go names
//     them ("#0", "1ns-1").
// Not ported: TestNonpollableDeadline (needs os.CreateTemp: the port's
// package os makes only pipes) and TestTTYClose (needs /dev/tty); see
// tests/inventory.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>

#include "../export_test.hpp"
#include "../go_math_rand.hpp"
#include "chan.hpp"
#include "errors/errors.hpp"
#include "go.hpp"
#include "io/io.hpp"
#include "os/file.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "sync/waitgroup.hpp"
#include "time/time.hpp"

using gort::error;
using gort::time::Duration;
using gort::time::Microsecond;
using gort::time::Millisecond;
using gort::time::Nanosecond;
using gort::time::Now;
using gort::time::Second;
using gort::time::Time;
namespace os = gort::os;

namespace {

/// noDeadline: the zero Time, which removes a deadline. (timeout_test.go:49)
const Time noDeadline{};

/// isDeadlineExceeded: os_test's helper (os_test.go): a timeout, and
/// os.ErrDeadlineExceeded underneath.
bool isDeadlineExceeded(const error& err) {
  return os::IsTimeout(err) && gort::errors::Is(err, os::ErrDeadlineExceeded);
}

std::string S(Duration d) { return gort::time::DurationString(d); }

/// E: an error as Go's %v prints it ("<nil>" for nil).
std::string E(const error& err) { return err ? err->Error() : "<nil>"; }

/// bytes: a []byte of s.
gort::slice<uint8_t> bytes(const char* s) {
  size_t n = std::strlen(s);
  auto b = gort::make<uint8_t>(int64_t(n));
  std::memcpy(&b[0], s, n);
  return b;
}

/// Closes both ends at the end of the scope (Go's two defers).
struct closer {
  gort::ptr<os::File> r, w;
  ~closer() {
    if (r) r->Close();
    if (w) w->Close();
  }
};

/// pipe: os.Pipe, failing the test on an error.
std::tuple<gort::ptr<os::File>, gort::ptr<os::File>> pipe() {
  auto [r, w, err] = os::Pipe();
  if (err) FAIL(E(err));
  return {r, w};
}

/// copyForever: io.Copy(w, neverEnding(c)) or io.Copy(w, rand...): write
/// until a write fails; the bytes written and that error.
template <class Fill>
std::tuple<int64_t, error> copyForever(gort::ptr<os::File> w, Fill fill) {
  auto buf = gort::make<uint8_t>(32 * 1024);
  int64_t n = 0;
  for (;;) {
    fill(buf);
    auto [nw, err] = w->Write(buf);
    n += nw;
    if (err) return {n, err};
  }
}

/// discardAll: io.Copy(io.Discard, r): read until an error; EOF is none.
std::tuple<int64_t, error> discardAll(gort::ptr<os::File> r) {
  auto buf = gort::make<uint8_t>(32 * 1024);
  int64_t n = 0;
  for (;;) {
    auto [nr, err] = r->Read(buf);
    n += nr;
    if (err) return {n, err == gort::io::EOF_ ? error() : err};
  }
}

}  // namespace

// timeout_test.go:51 at go1.22.12 (readTimeoutTests)
struct readTimeoutTest {
  Duration timeout;
  error xerrs[2];  // the errors expected in turn
};

// timeout_test.go:63 at go1.22.12
TEST_CASE("TestReadTimeout", "[os][timeout_test.go]") {
  const readTimeoutTest readTimeoutTests[] = {
      // A deadline works even with data waiting to be read.
      {-5 * Second, {os::ErrDeadlineExceeded, os::ErrDeadlineExceeded}},
      {50 * Millisecond, {nullptr, os::ErrDeadlineExceeded}},
  };
  auto [r, w] = pipe();
  closer c{r, w};

  if (auto [n, err] = w->Write(bytes("READ TIMEOUT TEST")); err) FAIL(E(err));

  int i = 0;
  for (const auto& tt : readTimeoutTests) {
    if (error err = r->SetReadDeadline(Now().Add(tt.timeout))) FAIL("#" << i << ": " << E(err));
    auto b = gort::make<uint8_t>(1);
    int j = 0;
    for (const error& xerr : tt.xerrs) {
      for (;;) {
        auto [n, err] = r->Read(b);
        if (xerr) {
          if (!isDeadlineExceeded(err)) FAIL("#" << i << "/" << j << ": " << E(err));
        }
        if (!err) {
          gort::time::Sleep(tt.timeout / 3);
          continue;
        }
        if (n != 0) FAIL("#" << i << "/" << j << ": read " << n << "; want 0");
        break;
      }
      j++;
    }
    i++;
  }
}

// timeout_test.go:104 at go1.22.12
TEST_CASE("TestReadTimeoutMustNotReturn", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};

  auto max = gort::time::NewTimer(100 * Millisecond);
  auto ch = gort::make_chan<error>();
  auto bad = std::make_shared<std::atomic<int>>(0);
  gort::go([r = r, ch, bad] {
    if (r->SetDeadline(Now().Add(-5 * Second))) bad->fetch_add(1);
    if (r->SetWriteDeadline(Now().Add(-5 * Second))) bad->fetch_add(1);
    if (r->SetReadDeadline(noDeadline)) bad->fetch_add(1);
    auto b = gort::make<uint8_t>(1);
    auto [n, err] = r->Read(b);
    ch.send(err);
  });

  error err;
  int chosen = gort::select({gort::recv(ch, &err), gort::recv(max->C)});
  max->Stop();
  if (chosen == 0) FAIL("expected Read to not return, but it returned with " << E(err));
  w->Close();
  err = ch.recv();  // the goroutine stops
  if (os::IsTimeout(err)) FAIL(E(err));
  CHECK(bad->load() == 0);
}

// timeout_test.go:144 at go1.22.12 (writeTimeoutTests)
TEST_CASE("TestWriteTimeout", "[os][timeout_test.go]") {
  const readTimeoutTest writeTimeoutTests[] = {
      // A deadline works even with room in the pipe.
      {-5 * Second, {os::ErrDeadlineExceeded, os::ErrDeadlineExceeded}},
      {10 * Millisecond, {nullptr, os::ErrDeadlineExceeded}},
  };
  int i = 0;
  for (const auto& tt : writeTimeoutTests) {
    SECTION("#" + std::to_string(i)) {
      auto [r, w] = pipe();
      closer c{r, w};
      if (error err = w->SetWriteDeadline(Now().Add(tt.timeout))) FAIL(E(err));
      int j = 0;
      for (const error& xerr : tt.xerrs) {
        for (;;) {
          auto [n, err] = w->Write(bytes("WRITE TIMEOUT TEST"));
          if (xerr) {
            if (!isDeadlineExceeded(err)) FAIL(j << ": " << E(err));
          }
          if (!err) {
            gort::time::Sleep(tt.timeout / 3);
            continue;
          }
          if (n != 0) FAIL(j << ": wrote " << n << "; want 0");
          break;
        }
        j++;
      }
    }
    i++;
  }
}

// timeout_test.go:194 at go1.22.12
TEST_CASE("TestWriteTimeoutMustNotReturn", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};

  auto max = gort::time::NewTimer(100 * Millisecond);
  auto ch = gort::make_chan<error>();
  auto bad = std::make_shared<std::atomic<int>>(0);
  gort::go([w = w, ch, bad] {
    if (w->SetDeadline(Now().Add(-5 * Second))) bad->fetch_add(1);
    if (w->SetReadDeadline(Now().Add(-5 * Second))) bad->fetch_add(1);
    if (w->SetWriteDeadline(noDeadline)) bad->fetch_add(1);
    auto b = gort::make<uint8_t>(1);
    for (;;) {
      if (auto [n, err] = w->Write(b); err) {
        ch.send(err);
        break;
      }
    }
  });

  error err;
  int chosen = gort::select({gort::recv(ch, &err), gort::recv(max->C)});
  max->Stop();
  if (chosen == 0) FAIL("expected Write to not return, but it returned with " << E(err));
  r->Close();
  err = ch.recv();  // the goroutine stops (EPIPE: SIGPIPE is ignored, as in Go)
  if (os::IsTimeout(err)) FAIL(E(err));
  CHECK(bad->load() == 0);
}

namespace {
// timeout_test.go:245 at go1.22.12
constexpr Duration minDynamicTimeout = 1 * Millisecond;
constexpr Duration maxDynamicTimeout = 4 * Second;

/// timeoutUpperBound: the longest a timeout of d may take (linux).
/// timeout_test.go:258 at go1.22.12
Duration timeoutUpperBound(Duration d) { return d * 11 / 10; }

/// nextTimeout: the next timeout to try after one took actual.
/// timeout_test.go:277 at go1.22.12
std::tuple<Duration, bool> nextTimeout(Duration actual) {
  if (actual >= maxDynamicTimeout) return {maxDynamicTimeout, false};
  Duration next = actual * 5 / 4;
  if (next > maxDynamicTimeout) return {maxDynamicTimeout, true};
  return {next, true};
}
}  // namespace

// timeout_test.go:292 at go1.22.12
TEST_CASE("TestReadTimeoutFluctuation", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};

  Duration d = minDynamicTimeout;
  auto b = gort::make<uint8_t>(256);
  for (;;) {
    INFO("SetReadDeadline(+" << S(d) << ")");
    Time t0 = Now();
    Time deadline = t0.Add(d);
    if (error err = r->SetReadDeadline(deadline)) FAIL("SetReadDeadline: " << E(err));
    auto [n, err] = r->Read(b);
    Time t1 = Now();

    if (n != 0 || !err || !isDeadlineExceeded(err)) {
      FAIL("Read did not return (0, timeout): (" << n << ", " << E(err) << ")");
    }
    Duration actual = t1.Sub(t0);
    if (t1.Before(deadline)) FAIL("Read took " << S(actual) << "; expected at least " << S(d));
    if (Duration want = timeoutUpperBound(d); actual > want) {
      auto [next, ok] = nextTimeout(actual);
      if (!ok) FAIL("Read took " << S(actual) << "; expected at most " << S(want));
      // A slow or loaded machine: try a longer timeout.
      d = next;
      continue;
    }
    break;
  }
}

// timeout_test.go:343 at go1.22.12
TEST_CASE("TestWriteTimeoutFluctuation", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};

  Duration d = minDynamicTimeout;
  for (;;) {
    INFO("SetWriteDeadline(+" << S(d) << ")");
    Time t0 = Now();
    Time deadline = t0.Add(d);
    if (error err = w->SetWriteDeadline(deadline)) FAIL("SetWriteDeadline: " << E(err));
    int64_t n = 0;
    error err;
    for (;;) {
      auto [dn, e] = w->Write(bytes("TIMEOUT TRANSMITTER"));
      n += dn;
      if (e) {
        err = e;
        break;
      }
    }
    Time t1 = Now();
    if (!isDeadlineExceeded(err)) FAIL("Write did not return (any, timeout): (" << n << ", " << E(err) << ")");
    Duration actual = t1.Sub(t0);
    if (t1.Before(deadline)) FAIL("Write took " << S(actual) << "; expected at least " << S(d));
    if (Duration want = timeoutUpperBound(d); actual > want) {
      if (n > 0) {
        // The pipe had room: fill it first, with a longer deadline.
        if (d <= maxDynamicTimeout / 2) d *= 2;
      } else if (auto [next, ok] = nextTimeout(actual); !ok) {
        FAIL("Write took " << S(actual) << "; expected at most " << S(want));
      } else {
        d = next;
      }
      continue;
    }
    break;
  }
}

namespace {
// timeout_test.go:447 at go1.22.12 (testVariousDeadlines)
struct result {
  int64_t n;
  error err;
  Duration d;
};

void testVariousDeadlines() {
  const Duration timeouts[] = {
      1 * Nanosecond,       2 * Nanosecond,       5 * Nanosecond,       50 * Nanosecond,
      100 * Nanosecond,     200 * Nanosecond,     500 * Nanosecond,     750 * Nanosecond,
      1 * Microsecond,      5 * Microsecond,      25 * Microsecond,     250 * Microsecond,
      500 * Microsecond,    1 * Millisecond,      5 * Millisecond,      100 * Millisecond,
      250 * Millisecond,    500 * Millisecond,    1 * Second,
  };
  for (Duration timeout : timeouts) {
    int numRuns = 3;
    if (gort_test::testingShort) {
      numRuns = 1;
      if (timeout > 500 * Microsecond) continue;
    }
    for (int run = 0; run < numRuns; run++) {
      INFO(S(timeout) << "-" << run + 1);
      auto [r, w] = pipe();
      closer c{r, w};

      // The writer, with no deadline of its own, as fast as it can.
      auto pasvch = gort::make_chan<result>();
      gort::go([w = w, pasvch] {
        Time t0 = Now();
        auto [n, err] = copyForever(w, [](gort::slice<uint8_t>& b) {
          for (int i = 0; i < gort::len(b); i++) b[i] = 'a';
        });
        pasvch.send(result{n, err, gort::time::Since(t0)});
      });

      constexpr Duration tooLong = 5 * Second;
      auto max = gort::time::NewTimer(tooLong);
      auto actvch = gort::make_chan<result>();
      auto bad = std::make_shared<std::atomic<int>>(0);
      gort::go([r = r, actvch, timeout, bad] {
        Time t0 = Now();
        if (r->SetDeadline(t0.Add(timeout))) bad->fetch_add(1);
        auto [n, err] = discardAll(r);
        Duration dt = gort::time::Since(t0);
        r->Close();
        actvch.send(result{n, err, dt});
      });

      result res;
      Time waitStart = Now();
      if (gort::select({gort::recv(actvch, &res), gort::recv(max->C)}) == 0) {
        // Go tests the outer err here (always nil, so it only logs); the
        // port checks what Go meant: the reader ended by its deadline.
        if (!isDeadlineExceeded(res.err)) FAIL("client Copy = " << res.n << ", " << E(res.err) << "; want timeout");
      } else {
        // Go's message, then what the port adds to tell the failures apart: a
        // deadline never set (SetDeadline errors), a reader still reading (no
        // result within another second), or a result sent while this select
        // waited and missed (one comes at once).
        // And the runtime's view at that moment: the deadline's timer, each
        // P's timers, every goroutine.
        Duration waited = gort::time::Since(waitStart);
        uintptr_t ctx = r->pfd.pd.runtimeCtx;
        std::string state = ctx == 0 ? std::string("no pollDesc\n") : runtime::DescribePollDeadline(ctx);
        std::string stacks(1 << 20, '\0');
        stacks.resize(size_t(runtime::Stack(std::span<char>(stacks), true)));
        auto again = gort::time::NewTimer(1 * Second);
        bool late = gort::select({gort::recv(actvch, &res), gort::recv(again->C)}) == 0;
        again->Stop();
        FAIL("timeout (" << S(tooLong) << ") waiting for client to timeout (" << S(timeout) << ") reading"
                         << " (SetDeadline errors: " << bad->load() << "; the reader's result "
                         << (late ? "came in the next second: " + std::to_string(res.n) + " bytes in " + S(res.d) +
                                        ", " + E(res.err)
                                  : std::string("did not come in another second"))
                         << "; the select waited " << S(waited) << ")\n"
                         << state << stacks);
      }
      if (gort::select({gort::recv(pasvch, &res), gort::recv(max->C)}) != 0) {
        FAIL("timeout waiting for writer to finish writing");
      }
      max->Stop();
      CHECK(bad->load() == 0);
    }
  }
}
}  // namespace

// timeout_test.go:413 at go1.22.12
TEST_CASE("TestVariousDeadlines", "[os][timeout_test.go]") { testVariousDeadlines(); }

// timeout_test.go:419 at go1.22.12
TEST_CASE("TestVariousDeadlines1Proc", "[os][timeout_test.go]") {
  if (gort_test::testingShort) return;  // as in Go: skipped under -short
  gort_test::GOMAXPROCSGuard procs(1);
  testVariousDeadlines();
}

// timeout_test.go:429 at go1.22.12
TEST_CASE("TestVariousDeadlines4Proc", "[os][timeout_test.go]") {
  if (gort_test::testingShort) return;  // as in Go: skipped under -short
  gort_test::GOMAXPROCSGuard procs(4);
  testVariousDeadlines();
}

// Reads and writes on a pipe's non-blocking descriptors are system calls
// in the scheduler's sense, as Go's syscall.Read and Write are: each one
// returns through exitsyscall, which advances its P's syscalltick. The
// port once called read(2) and write(2) directly on such a descriptor;
// then nothing woke sysmon from its long sleep, and a deadline's timer
// could wait a minute to run (fd_unix.cpp's note).
TEST_CASE("gort: reads and writes on a pipe enter the scheduler's system-call state", "[os][gort]") {
  auto [r, w] = pipe();
  closer c{r, w};
  constexpr int n = 100;
  auto b = gort::make<uint8_t>(1);
  uint64_t before = runtime::SyscallTicks();
  for (int i = 0; i < n; i++) {
    auto [nw, werr] = w->Write(b);
    REQUIRE(nw == 1);
    REQUIRE(!werr);
    auto [nr, rerr] = r->Read(b);
    REQUIRE(nr == 1);
    REQUIRE(!rerr);
  }
  uint64_t ticks = runtime::SyscallTicks() - before;
  INFO(ticks << " returns from system calls for " << 2 * n << " reads and writes");
  CHECK(ticks >= uint64_t(2 * n));
}

// timeout_test.go:541 at go1.22.12
TEST_CASE("TestReadWriteDeadlineRace", "[os][timeout_test.go]") {
  int N = gort_test::testingShort ? 50 : 1000;
  auto [r, w] = pipe();
  closer c{r, w};

  auto wg = std::make_shared<gort::sync::WaitGroup>();
  auto errs = std::make_shared<std::atomic<int>>(0);
  wg->Add(3);
  gort::go([r = r, w = w, wg, N] {
    auto tic = gort::time::NewTicker(2 * Microsecond);
    for (int i = 0; i < N; i++) {
      if (r->SetReadDeadline(Now().Add(2 * Microsecond))) break;
      if (w->SetWriteDeadline(Now().Add(2 * Microsecond))) break;
      (void)tic->C.recv();
    }
    tic->Stop();
    wg->Done();
  });
  gort::go([r = r, wg, N, errs] {
    auto b = gort::make<uint8_t>(1);
    for (int i = 0; i < N; i++) {
      auto [n, err] = r->Read(b);
      if (err && !isDeadlineExceeded(err)) errs->fetch_add(1);  // "Read returned non-timeout error"
    }
    wg->Done();
  });
  gort::go([w = w, wg, N, errs] {
    auto b = gort::make<uint8_t>(1);
    for (int i = 0; i < N; i++) {
      auto [n, err] = w->Write(b);
      if (err && !isDeadlineExceeded(err)) errs->fetch_add(1);  // "Write returned non-timeout error"
    }
    wg->Done();
  });
  wg->Wait();
  CHECK(errs->load() == 0);
}

// timeout_test.go:597 at go1.22.12
TEST_CASE("TestRacyRead", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  auto errs = std::make_shared<std::atomic<int>>(0);

  // io.Copy(w, rand.New(rand.NewSource(0))): until the pipe closes.
  gort::go([w = w] {
    auto rng = std::make_shared<gort_test::gomathrand::Rand>(0);
    copyForever(w, [rng](gort::slice<uint8_t>& b) {
      for (int i = 0; i < gort::len(b); i++) b[i] = uint8_t(rng->Int63());
    });
  });

  r->SetReadDeadline(Now().Add(Millisecond));
  for (int i = 0; i < 10; i++) {
    wg->Add(1);
    gort::go([r = r, wg, errs] {
      auto b1 = gort::make<uint8_t>(1024);
      auto b2 = gort::make<uint8_t>(1024);
      for (int j = 0; j < 100; j++) {
        auto [n, err] = r->Read(b1);
        gort::copy(b1, b2);  // change b1 at once: a read may not still be using it
        if (err) {
          if (!isDeadlineExceeded(err)) errs->fetch_add(1);
          r->SetReadDeadline(Now().Add(Millisecond));
        }
      }
      wg->Done();
    });
  }
  wg->Wait();
  CHECK(errs->load() == 0);
}

// timeout_test.go:636 at go1.22.12
TEST_CASE("TestRacyWrite", "[os][timeout_test.go]") {
  auto [r, w] = pipe();
  closer c{r, w};
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  auto errs = std::make_shared<std::atomic<int>>(0);

  gort::go([r = r] { discardAll(r); });  // io.Copy(io.Discard, r)

  w->SetWriteDeadline(Now().Add(Millisecond));
  for (int i = 0; i < 10; i++) {
    wg->Add(1);
    gort::go([w = w, wg, errs] {
      auto b1 = gort::make<uint8_t>(1024);
      auto b2 = gort::make<uint8_t>(1024);
      for (int j = 0; j < 100; j++) {
        auto [n, err] = w->Write(b1);
        gort::copy(b1, b2);  // change b1 at once: a write may not still be using it
        if (err) {
          if (!isDeadlineExceeded(err)) errs->fetch_add(1);
          w->SetWriteDeadline(Now().Add(Millisecond));
        }
      }
      wg->Done();
    });
  }
  wg->Wait();
  CHECK(errs->load() == 0);
}
