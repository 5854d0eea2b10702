// time/sleep_test.cpp: the tests of go1.22.12 time/sleep_test.go, translated
// test by test. Each TEST_CASE has Go's name, the tags [time] and
// [sleep_test.go], and cites the line of Go's func. The benchmarks are in
// bench/time_bench.cpp.
//
// Translation rules (as in tests/sync/*_test.cpp):
//   - package time is gort::time (time/time.hpp); `<-c` is c.recv();
//     `select` is gort::select (-1 for default); a *Timer is a
//     gort::ptr<Timer>.
//   - Durations print with DurationString (Go's %s of a Duration).
//   - A variable shared with goroutines or timer functions that may outlive
//     the test is a heap object (gort::new_) or a global: an AfterFunc
//     closure is freed by the collector without its destructor, so it
//     captures GC references and plain values only.
//   - Catch2's assertions run on the test goroutine only: goroutines and
//     timer functions report through channels and atomics.
//   - A deferred recover() is a catch of runtime::PanicError.
// As in Go, the timing tests retry with longer times before they fail
// (TestAfterStop, TestAfterQueuing, TestReset): they measure the runtime's
// timers against the clock on a machine that may be loaded.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "../export_test.hpp"
#include "retry.hpp"
#include "../go_math_rand.hpp"
#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "time/time.hpp"

using namespace gort::time;
using gort::time::Second;
using gort::time::Millisecond;

namespace {

/// Interrupt: time's export_test.go Interrupt (sys_unix.go interrupt): a
/// SIGCHLD to the process, which must not cut a sleep short.
void Interrupt() { ::kill(::getpid(), SIGCHLD); }

std::string S(Duration d) { return DurationString(d); }

}  // namespace

// sleep_test.go:28 at go1.22.12
TEST_CASE("TestSleep", "[time][sleep_test.go]") {
  constexpr Duration delay = 100 * Millisecond;
  gort::go([] {
    Sleep(delay / 2);
    Interrupt();
  });
  Time start = Now();
  Sleep(delay);
  Duration delayadj = delay;
  Duration duration = Now().Sub(start);
  if (duration < delayadj) FAIL("Sleep(" << S(delay) << ") slept for only " << S(duration));
}

namespace {
// TestAfterFunc's shared state: Go's i and c, captured by f. A heap
// object, so that the AfterFunc closures capture only a GC reference (the
// collector frees a closure without running its destructor).
struct afterFuncState {
  int i;
  gort::chan<bool> c;
};

// TestAfterFunc's f: re-arm, ten times, then report.
void afterFuncF(gort::ptr<afterFuncState> st) {
  st->i--;
  if (st->i >= 0) {
    AfterFunc(0, [st] { afterFuncF(st); });
    Sleep(1 * Second);
  } else {
    st->c.send(true);
  }
}
}  // namespace

// sleep_test.go:49 at go1.22.12
//
// f re-arms itself with AfterFunc(0, f), each call then sleeping a second
// in its own goroutine; the eleventh call sends on c.
TEST_CASE("TestAfterFunc", "[time][sleep_test.go]") {
  auto st = gort::new_<afterFuncState>(10, gort::make_chan<bool>());
  AfterFunc(0, [st] { afterFuncF(st); });
  (void)st->c.recv();
}

// sleep_test.go:67 at go1.22.12
TEST_CASE("TestAfterStress", "[time][sleep_test.go]") {
  static std::atomic<bool> stopFlag;
  stopFlag = false;
  auto* stop = &stopFlag;
  gort::go([stop] {
    while (!stop->load()) {
      runtime::GC();
      // Let the timers run: the ticks below come from them.
      Sleep(Nanosecond);
    }
  });
  auto ticker = NewTicker(1);
  for (int i = 0; i < 100; i++) (void)ticker->C.recv();
  ticker->Stop();
  stop->store(true);
}

// sleep_test.go:202 at go1.22.12
TEST_CASE("TestAfter", "[time][sleep_test.go]") {
  constexpr Duration delay = 100 * Millisecond;
  Time start = Now();
  Time end = After(delay).recv();
  Duration delayadj = delay;
  if (Duration duration = Now().Sub(start); duration < delayadj)
    FAIL("After(" << S(delay) << ") slept for only " << duration << " ns");
  if (Time min = start.Add(delayadj); end.Before(min))
    FAIL("After(" << S(delay) << ") expect >= " << min.UnixNano() << ", got " << end.UnixNano());
}

// sleep_test.go:218 at go1.22.12
TEST_CASE("TestAfterTick", "[time][sleep_test.go]") {
  constexpr int Count = 10;
  Duration Delta = 100 * Millisecond;
  if (gort_test::testingShort) Delta = 10 * Millisecond;
  Time t0 = Now();
  for (int i = 0; i < Count; i++) (void)After(Delta).recv();
  Time t1 = Now();
  Duration d = t1.Sub(t0);
  Duration target = Delta * Count;
  if (d < target * 9 / 10)
    FAIL(Count << " ticks of " << S(Delta) << " too fast: took " << S(d) << ", expected " << S(target));
  if (!gort_test::testingShort && d > target * 30 / 10)
    FAIL(Count << " ticks of " << S(Delta) << " too slow: took " << S(d) << ", expected " << S(target));
}

// sleep_test.go:239 at go1.22.12
TEST_CASE("TestAfterStop", "[time][sleep_test.go]") {
  // Stop a timer before it runs, and check that it did not run after a
  // later one did. Short times make this flaky, so only five failures in
  // a row fail the test (as in Go).
  std::vector<std::string> errs;
  for (int i = 0; i < 5; i++) {
    AfterFunc(100 * Millisecond, [] {});
    auto t0 = NewTimer(50 * Millisecond);
    auto c1 = gort::make_chan<bool>(1);
    auto t1 = AfterFunc(150 * Millisecond, [c1] { c1.send(true); });
    auto c2 = After(200 * Millisecond);
    if (!t0->Stop()) {
      errs.push_back("failed to stop event 0");
      continue;
    }
    if (!t1->Stop()) {
      errs.push_back("failed to stop event 1");
      continue;
    }
    (void)c2.recv();
    int chosen = gort::select({gort::recv(t0->C), gort::recv(c1)}, gort::default_);
    if (chosen == 0) {
      errs.push_back("event 0 was not stopped");
      continue;
    }
    if (chosen == 1) {
      errs.push_back("event 1 was not stopped");
      continue;
    }
    if (t1->Stop()) {
      errs.push_back("Stop returned true twice");
      continue;
    }
    gort_test::passedAfterRetries(errs);
    return;
  }
  gort_test::failAfterRetries(errs);
}

namespace {

// sleep_test.go:311 at go1.22.12
const int slots[] = {5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0};

struct afterResult {
  int slot;
  Time t;
};

// sleep_test.go:318 at go1.22.12 (await)
void await(int slot, gort::chan<afterResult> result, gort::chan<Time> ac) { result.send(afterResult{slot, ac.recv()}); }

// sleep_test.go:322 at go1.22.12 (testAfterQueuing); "" for no error.
std::string testAfterQueuing(Duration delta) {
  // Buffered, so that the test does not depend on how a channel queues
  // its senders.
  constexpr int n = sizeof slots / sizeof slots[0];
  auto result = gort::make_chan<afterResult>(n);
  Time t0 = Now();
  for (int slot : slots) gort::go(await, slot, result, After(Duration(slot) * delta));
  std::vector<int> order;
  std::vector<Time> times;
  for (int i = 0; i < n; i++) {
    afterResult r = result.recv();
    order.push_back(r.slot);
    times.push_back(r.t);
  }
  for (size_t i = 1; i < order.size(); i++) {
    if (order[i] < order[i - 1]) {
      std::string s = "After calls returned out of order: [";
      for (size_t j = 0; j < order.size(); j++) s += (j ? " " : "") + std::to_string(order[j]);
      return s + "]";
    }
  }
  for (size_t i = 0; i < times.size(); i++) {
    Duration dt = times[i].Sub(t0);
    Duration target = Duration(order[i]) * delta;
    if (dt < target - delta / 2 || dt > target + delta * 10)
      return "After(" + S(target) + ") arrived at " + S(dt) + ", expected [" + S(target - delta / 2) + "," +
             S(target + delta * 10) + "]";
  }
  return "";
}

}  // namespace

// sleep_test.go:295 at go1.22.12
TEST_CASE("TestAfterQueuing", "[time][sleep_test.go]") {
  // Flaky on loaded machines, so a few attempts with growing times.
  constexpr int attempts = 5;
  std::string err = "!=nil";
  for (int i = 0; i < attempts && !err.empty(); i++) {
    Duration delta = Duration(20 + i * 50) * Millisecond;
    err = testAfterQueuing(delta);
    if (!err.empty()) WARN("attempt " << i << " failed: " << err);
  }
  if (!err.empty()) FAIL(err);
}

// sleep_test.go:354 at go1.22.12
TEST_CASE("TestTimerStopStress", "[time][sleep_test.go]") {
  if (gort_test::testingShort) return;  // as in Go: nothing under -short
  // A global, so that the AfterFunc closures capture a plain pointer.
  static std::atomic<int> firedCount;
  firedCount = 0;
  auto* fired = &firedCount;
  for (int i = 0; i < 100; i++) {
    gort::go([fired] {
      auto timer = AfterFunc(2 * Second, [fired] { fired->fetch_add(1); });
      Sleep(1 * Second);
      timer->Stop();
    });
  }
  Sleep(3 * Second);
  CHECK(fired->load() == 0);  // Go: t.Errorf("timer %d was not stopped", i)
}

// sleep_test.go:370 at go1.22.12
TEST_CASE("TestSleepZeroDeadlock", "[time][sleep_test.go]") {
  // Sleep(0) once left the goroutine in _Gwaiting when it returned at
  // once; a collection that then came through the scheduler never woke it.
  gort_test::GOMAXPROCSGuard guard(4);
  auto c = gort::make_chan<bool>();
  gort::go([c] {
    for (int i = 0; i < 100; i++) runtime::GC();
    c.send(true);
  });
  for (int i = 0; i < 100; i++) {
    Sleep(0);
    auto tmp = gort::make_chan<bool>(1);
    tmp.send(true);
    (void)tmp.recv();
  }
  (void)c.recv();
}

namespace {
// sleep_test.go:393 at go1.22.12 (testReset); "" for no error.
std::string testReset(Duration d) {
  auto t0 = NewTimer(2 * d);
  Sleep(d);
  if (!t0->Reset(3 * d)) return "resetting unfired timer returned false";
  Sleep(2 * d);
  if (gort::select({gort::recv(t0->C)}, gort::default_) == 0) return "timer fired early";
  Sleep(2 * d);
  if (gort::select({gort::recv(t0->C)}, gort::default_) != 0) return "reset timer did not fire";
  if (t0->Reset(50 * Millisecond)) return "resetting expired timer returned true";
  return "";
}
}  // namespace

// sleep_test.go:417 at go1.22.12
TEST_CASE("TestReset", "[time][sleep_test.go]") {
  // Larger and larger multiples until one works, so that a slow, loaded
  // machine does not fail it (Go's reasoning).
  Duration d = 1 * Millisecond;
  constexpr Duration maxDuration = 10 * Second;
  for (;;) {
    std::string err = testReset(d);
    if (err.empty()) break;
    d *= 2;
    if (d > maxDuration) FAIL(err);
    WARN(err << "; trying duration " << S(d));
  }
}

// sleep_test.go:443 at go1.22.12
TEST_CASE("TestOverflowSleep", "[time][sleep_test.go]") {
  constexpr Duration big = INT64_MAX;
  static std::atomic<bool> bigSleepReturned;  // the goroutine outlives the test
  auto* returned = &bigSleepReturned;
  gort::go([returned] {
    Sleep(big);
    // Go panics here (the test may be over by then); this records it.
    returned->store(true);
  });
  int chosen = gort::select({gort::recv(After(big)), gort::recv(After(25 * Millisecond))});
  if (chosen == 0) FAIL("big timeout fired");
  constexpr Duration neg = INT64_MIN;
  Sleep(neg);  // returns at once
  chosen = gort::select({gort::recv(After(neg)), gort::recv(After(1 * Second))});
  if (chosen == 1) FAIL("negative timeout didn't fire");
  CHECK_FALSE(returned->load());  // "big sleep returned"
}

namespace {
/// empty: internal_test.go's timer function that does nothing.
void empty(void*, uintptr_t) {}
}  // namespace

// sleep_test.go:490 at go1.22.12
//
// internal_test.go's CheckRuntimeTimerPeriodOverflow, inline: a runtime
// timer that is due now with the largest period. Its next time overflows
// int64; the runtime must clamp it (runOneTimer), or siftdownTimer throws
// or later timers hang.
TEST_CASE("TestOverflowPeriodRuntimeTimer", "[time][sleep_test.go]") {
  auto r = gort::new_<runtimeTimer>();
  r->when = runtimeNano();
  r->period = INT64_MAX;
  r->f.fn = empty;
  startTimer(r.get());
  // A short timer as a smoke test: with a broken heap it would hang.
  (void)After(25 * Millisecond).recv();
  stopTimer(r.get());
}

namespace {
// sleep_test.go:496 at go1.22.12 (checkZeroPanicString)
template <class F>
void checkZeroPanicString(F f) {
  try {
    f();
    FAIL("no panic");
  } catch (const runtime::PanicError& e) {
    std::string s = e.what();
    if (s.find("called on uninitialized Timer") == std::string::npos)
      FAIL("panic = " << s << "; want substring \"called on uninitialized Timer\"");
  }
}
}  // namespace

// sleep_test.go:504 at go1.22.12
TEST_CASE("TestZeroTimerResetPanics", "[time][sleep_test.go]") {
  checkZeroPanicString([] {
    Timer tr{};
    tr.Reset(1);
  });
}

// sleep_test.go:510 at go1.22.12
TEST_CASE("TestZeroTimerStopPanics", "[time][sleep_test.go]") {
  checkZeroPanicString([] {
    Timer tr{};
    tr.Stop();
  });
}

// sleep_test.go:517 at go1.22.12
TEST_CASE("TestZeroTimer", "[time][sleep_test.go]") {
  if (gort_test::testingShort) SKIP("-short");  // as Go skips it
  for (int i = 0; i < 1000000; i++) {
    Time s = Now();
    auto ti = NewTimer(0);
    (void)ti->C.recv();
    if (Duration diff = Since(s); diff > 2 * Second)
      FAIL("Expected time to get value from Timer channel in less than 2 sec, took " << S(diff));
  }
}

// sleep_test.go:534 at go1.22.12
//
// Moving a timer earlier again and again must not lose it (issue 47329).
TEST_CASE("TestTimerModifiedEarlier", "[time][sleep_test.go]") {
  Duration past = Until(Unix(0, 0));
  int count = 1000;
  int fail = 0;
  std::vector<gort::ptr<Timer>> deadlines;
  for (int i = 0; i < count; i++) {
    auto timer = NewTimer(Hour);
    for (int j = 0; j < 10; j++) {
      if (!timer->Stop()) (void)timer->C.recv();
      timer->Reset(past);
    }
    auto deadline = NewTimer(10 * Second);
    deadlines.push_back(deadline);  // defer deadline.Stop()
    Time now = Now();
    switch (gort::select({gort::recv(timer->C), gort::recv(deadline->C)})) {
      case 0:
        if (Duration since = Since(now); since > 8 * Second) {
          UNSCOPED_INFO("timer took too long (" << S(since) << ")");
          fail++;
        }
        break;
      case 1:
        UNSCOPED_INFO("deadline expired");
        fail++;
        break;
    }
  }
  for (auto& d : deadlines) d->Stop();
  if (fail > 0) FAIL(fail << " failures");
}

// sleep_test.go:573 at go1.22.12
//
// Moving timers earlier and later at random must not lose sleeps (issue
// 47762).
TEST_CASE("TestAdjustTimers", "[time][sleep_test.go]") {
  gort_test::gomathrand::Rand rnd(Now().UnixNano());
  std::vector<gort::ptr<Timer>> timers(100);
  std::vector<int> states(timers.size());
  std::vector<int> indices = rnd.Perm(int(timers.size()));
  while (!indices.empty()) {
    int ii = rnd.Intn(int(indices.size()));
    int i = indices[size_t(ii)];
    auto timer = timers[size_t(i)];
    int state = states[size_t(i)];
    states[size_t(i)]++;
    switch (state) {
      case 0:
        timers[size_t(i)] = NewTimer(0);
        break;
      case 1:
        (void)timer->C.recv();  // the timer is idle now
        break;
      // Reset to long durations, which are stopped below.
      case 2:
        if (timer->Reset(1 * Minute)) FAIL("shouldn't be active (1)");
        break;
      case 4:
        if (timer->Reset(3 * Minute)) FAIL("shouldn't be active (3)");
        break;
      case 6:
        if (timer->Reset(2 * Minute)) FAIL("shouldn't be active (2)");
        break;
      // Stop and drain a long timer.
      case 3:
      case 5:
      case 7:
        if (!timer->Stop()) {
          WARN("timer " << i << " state " << state << " Stop returned false");
          (void)timer->C.recv();
        }
        break;
      // A short timer that must be received without a long wait.
      case 8:
        if (timer->Reset(0)) FAIL("timer.Reset returned true");
        break;
      case 9: {
        Time now = Now();
        (void)timer->C.recv();
        Duration dur = Since(now);
        if (dur > 750 * Millisecond) FAIL("timer " << i << " took " << S(dur) << " to complete");
        break;
      }
      // Done: swap with the tail and remove.
      case 10:
        indices[size_t(ii)] = indices.back();
        indices.pop_back();
        break;
    }
  }
}
