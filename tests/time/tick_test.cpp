// time/tick_test.cpp: the tests of go1.22.12 time/tick_test.go, translated
// test by test (the rules are sleep_test.cpp's). The benchmarks are in
// bench/time_bench.cpp.
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "../export_test.hpp"
#include "retry.hpp"
#include "chan.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "select.hpp"
#include "time/time.hpp"

using namespace gort::time;
using gort::time::Millisecond;
using gort::time::Second;

// tick_test.go:14 at go1.22.12
//
// Half the ticks at delta, half at 2*delta after a Reset; then the ticker
// must be quiet once stopped. Short times make it flaky, so a second, long
// attempt follows a failure (as in Go).
TEST_CASE("TestTicker", "[time][tick_test.go]") {
  int baseCount = 10;
  Duration baseDelta = 20 * Millisecond;
  std::vector<std::string> errs;
  struct test {
    int count;
    Duration delta;
  };
  for (test tc : {test{baseCount, baseDelta}, test{8, 1 * Second}}) {
    int count = tc.count;
    Duration delta = tc.delta;
    auto ticker = NewTicker(delta);
    Time t0 = Now();
    for (int i = 0; i < count / 2; i++) (void)ticker->C.recv();
    ticker->Reset(delta * 2);
    for (int i = count / 2; i < count; i++) (void)ticker->C.recv();
    ticker->Stop();
    Time t1 = Now();
    Duration dt = t1.Sub(t0);
    Duration target = 3 * delta * Duration(count / 2);
    Duration slop = target * 3 / 10;
    if (dt < target - slop || dt > target + slop) {
      errs.push_back(std::to_string(count / 2) + " " + DurationString(delta) + " ticks then " +
                     std::to_string(count / 2) + " " + DurationString(delta * 2) + " ticks took " +
                     DurationString(dt) + ", expected [" + DurationString(target - slop) + "," +
                     DurationString(target + slop) + "]");
      // An overloaded machine: give it a moment.
      if (dt > target + slop) Sleep(Second / 2);
      continue;
    }
    // Now the ticker must have stopped.
    Sleep(2 * delta);
    if (gort::select({gort::recv(ticker->C)}, gort::default_) == 0) {
      errs.push_back("Ticker did not shut down");
      continue;
    }
    gort_test::passedAfterRetries(errs);
    return;
  }
  gort_test::failAfterRetries(errs);
}

// tick_test.go:100 at go1.22.12
//
// A Ticker built by hand, never started: Stop must not crash (issue 21874).
TEST_CASE("TestTickerStopWithDirectInitialization", "[time][tick_test.go]") {
  auto c = gort::make_chan<Time>();
  auto tk = gort::new_<Ticker>();
  tk->C = c;
  tk->Stop();
}

// tick_test.go:107 at go1.22.12
//
// Tearing a ticker down right after a tick must not deadlock.
TEST_CASE("TestTeardown", "[time][tick_test.go]") {
  Duration Delta = 100 * Millisecond;
  if (gort_test::testingShort) Delta = 20 * Millisecond;
  for (int i = 0; i < 3; i++) {
    auto ticker = NewTicker(Delta);
    (void)ticker->C.recv();
    ticker->Stop();
  }
}

// tick_test.go:120 at go1.22.12
TEST_CASE("TestTick", "[time][tick_test.go]") {
  // A negative duration gives a nil channel.
  if (auto got = Tick(-1); got != nullptr) FAIL("Tick(-1) = non-nil; want nil");
}

// tick_test.go:128 at go1.22.12
TEST_CASE("TestNewTickerLtZeroDuration", "[time][tick_test.go]") {
  bool panicked = false;
  try {
    NewTicker(-1);
  } catch (const runtime::PanicError&) {
    panicked = true;
  }
  if (!panicked) FAIL("NewTicker(-1) should have panicked");
}

// tick_test.go:138 at go1.22.12
TEST_CASE("TestTickerResetLtZeroDuration", "[time][tick_test.go]") {
  bool panicked = false;
  auto tk = NewTicker(Second);
  try {
    tk->Reset(0);
  } catch (const runtime::PanicError&) {
    panicked = true;
  }
  tk->Stop();
  if (!panicked) FAIL("Ticker.Reset(0) should have panicked");
}
