// sync/once_test.cpp: the tests of go1.22.12 sync/once_test.go, translated
// test by test. Each TEST_CASE has Go's name, the tags [sync] and
// [once_test.go], and cites the line of Go's func. (BenchmarkOnce belongs in
// bench/.)
//
// Translation rules (as in tests/sync/mutex_test.cpp):
//   - `go f(x)` is gort::go(f, x); `make(chan T)` is gort::make_chan<T>().
//   - Go's package sync is gort::sync.
//   - A variable that goroutines share and may still touch after the test
//     goroutine has moved on is held by a std::shared_ptr captured by value.
//   - Catch2's assertions are not safe off the test goroutine: where Go's
//     goroutines call t.Errorf, they record the failure in shared state, and
//     the test goroutine asserts after it has waited for them.
//   - `panic(v)` is gort::panic; a deferred recover() is a catch of
//     runtime::PanicError.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <memory>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"

using gort::sync::Once;

namespace {

// once_test.go:12 at go1.22.12 (type one int, and its Increment method)
struct one {
  int v = 0;
  void Increment() { v++; }
};

/// What the goroutines of TestOnce share.
struct onceState {
  one o;
  Once once;
  // t.Errorf("once failed inside run: %d is not 1", v), recorded: how many
  // runs saw a value other than 1, and the last such value.
  std::atomic<int> insideFailures{0};
  std::atomic<int> insideValue{0};
};

// once_test.go:18 at go1.22.12 (run)
void run(onceState* s, gort::chan<bool> c) {
  s->once.Do([s]() { s->o.Increment(); });
  if (int v = s->o.v; v != 1) {
    s->insideValue = v;
    s->insideFailures++;
  }
  c.send(true);
}

}  // namespace

// once_test.go:26 at go1.22.12
TEST_CASE("TestOnce", "[sync][once_test.go]") {
  auto s = std::make_shared<onceState>();
  auto c = gort::make_chan<bool>();
  constexpr int N = 10;
  for (int i = 0; i < N; i++) {
    gort::go([s, c]() { run(s.get(), c); });
  }
  for (int i = 0; i < N; i++) {
    (void)c.recv();
  }
  INFO("once failed inside run: " << s->insideValue.load() << " is not 1");
  CHECK(s->insideFailures.load() == 0);
  INFO("once failed outside run: " << s->o.v << " is not 1");
  CHECK(s->o.v == 1);
}

// once_test.go:42 at go1.22.12
TEST_CASE("TestOncePanic", "[sync][once_test.go]") {
  Once once;
  try {
    once.Do([]() { gort::panic("failed"); });
    FAIL("Once.Do did not panic");
  } catch (const runtime::PanicError&) {
    // recover() returned the panic: Do let it through.
  }

  // The panicking f counts as done, so this f must not run.
  once.Do([]() { FAIL("Once.Do called twice"); });
}
