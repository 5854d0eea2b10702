// testprog/preempt.cpp: go1.22.12 runtime/testdata/testprog/preempt.go,
// and one program of the port's own (SpinForever).
//
// TestAsyncPreempt runs AsyncPreempt; the port's crash test
// "gort: a goroutine that calls nothing does not keep main from returning"
// runs SpinForever.
//
// Go's goroutines here make no call that has a safe point: Go's compiler
// leaves the stack check out of a small leaf function such as dummy. GCC
// puts the split-stack check into every function built with -fsplit-stack,
// so dummy and frameless are no_split_stack here, to keep the loops free of
// synchronous safe points as Go's are. The empty loop is `for (;;)` around
// an empty asm statement: C++ lets a compiler assume that a loop without
// side effects ends, and the asm statement is one it must keep.
#include <atomic>
#include <cstdint>

#include "debug/garbage.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// preempt.go:67 at go1.22.12 (a global: the loop stores it each round)
std::atomic<int64_t> out;

// (GCC takes no_split_stack from a declaration only.)
__attribute__((noinline, no_split_stack)) void frameless();
__attribute__((noinline, no_split_stack)) void dummy();

// preempt.go:59 at go1.22.12. Unsigned arithmetic: Go's int64 wraps, a
// C++ int64_t may not overflow.
void frameless() {
  for (uint64_t i = 0; i < uint64_t(1) << 62; i++)
    out.store(int64_t(uint64_t(out.load(std::memory_order_relaxed)) + i * i * i * i * i * 12345),
              std::memory_order_relaxed);
}

// preempt.go:69 at go1.22.12
void dummy() { asm volatile(""); }

// preempt.go:17 at go1.22.12. Three goroutines that never reach a
// synchronous safe point, on one P; then a collection, which must stop
// them all, for its stop-the-world and to scan their stacks.
void AsyncPreempt() {
  // One P, so the scheduler has to preempt.
  runtime::GOMAXPROCS(1);
  // No collections but the ones this program starts.
  gort::debug::SetGCPercent(-1);
  // None in progress either: a cycle's sweep phase preempts the Ps first.
  runtime::GC();

  // A goroutine with no synchronous safe point.
  static std::atomic<uint32_t> ready, ready2;
  gort::go([] {
    for (;;) {
      ready.store(1);
      dummy();
      dummy();
    }
  });
  // One in a function with no frame of its own (what Go calls frameless).
  gort::go([] {
    ready2.fetch_add(1);
    frameless();
  });
  // And an empty endless loop.
  gort::go([] {
    ready2.fetch_add(1);
    for (;;) asm volatile("");
  });

  // Wait until all three are in their loops.
  while (ready.load() == 0 || ready2.load() < 2) runtime::Gosched();

  // The collection stops them for its stop-the-world and for the scan of
  // their stacks; without asynchronous preemption this never returns.
  runtime::GC();

  println("OK");
}

// Port only: with one P, a goroutine spinning in a loop that calls nothing
// must not keep main from running again and returning (the process exits
// 0 with the spinner still running). Main yields once, so the spinner
// gets the P; only an asynchronous preemption gives it back.
void SpinForever() {
  runtime::GOMAXPROCS(1);
  static std::atomic<bool> spinning;
  gort::go([] {
    spinning.store(true);
    for (;;) asm volatile("");
  });
  while (!spinning.load()) runtime::Gosched();
  println("OK");
}

// preempt.go:13 at go1.22.12
[[maybe_unused]] bool registered = [] {
  register_("AsyncPreempt", AsyncPreempt);
  register_("SpinForever", SpinForever);
  return true;
}();

}  // namespace
}  // namespace testprog
