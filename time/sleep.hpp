// time/sleep.hpp: Sleep, Timer and AfterFunc, mirroring src/time/sleep.go
// at go1.22.12. Included by time/time.hpp.
//
// A Timer embeds the runtime's timer (runtimeTimer, the same layout as
// runtime::timer in time.hpp at the repository root): NewTimer fills it in
// and hands it to the runtime (startTimer), which keeps it in a P's heap
// and calls its function, sendTime, when it is due; sendTime puts the
// current time in the Timer's channel without blocking (the channel has
// room for one). AfterFunc's timer calls goFunc instead, which starts the
// function in a new goroutine.
//
// Departure: Go's runtimeTimer.f is a func(any, uintptr) and arg an any
// (the channel, or the func()). Here f is a C function and arg a pointer
// to a heap object: for sendTime, the Timer's (or Ticker's) own C field;
// for goFunc, a heap closure holding the function.
#pragma once
#include <type_traits>
#include <utility>

#include "../go.hpp"

namespace gort::time {

struct Time;

/// anyObject: what runtimeTimer.arg points to: some heap object whose
/// type only the timer's function knows (Go: an interface value).
struct anyObject;

/// timerFunc: a timer's function (code, not a heap reference).
struct timerFunc {
  void (*fn)(void* arg, uintptr_t seq);
};
}  // namespace gort::time
/// A timer's function is code: nothing for the collector.
template <>
inline constexpr bool gort::pointerFree<gort::time::timerFunc> = true;
namespace gort::time {

/// runtimeTimer: package time's picture of the runtime's timer; the
/// runtime reads and writes it as its own (static_asserts on both sides
/// pin the layout). \gosrc{time/sleep.go,runtimeTimer}
struct runtimeTimer {
  uintptr_t pp;
  int64_t when;
  int64_t period;
  timerFunc f;
  gort::ptr<anyObject> arg;
  uintptr_t seq;
  int64_t nextwhen;
  uint32_t status;
};
static_assert(sizeof(runtimeTimer) == 64 && offsetof(runtimeTimer, f) == 24 && offsetof(runtimeTimer, arg) == 32 &&
                  offsetof(runtimeTimer, status) == 56,
              "runtimeTimer: the runtime's timer layout (time.hpp at the root)");

/// Sleep pauses the calling goroutine for at least d; d <= 0 returns at
/// once. The goroutine parks; its M runs others meanwhile.
/// \gosrc{time/sleep.go,Sleep}
void Sleep(Duration d) GOSYMBOL("time.Sleep");

/// when: the runtime's time (nanotime) d from now, clamped to the largest.
/// \gosrc{time/sleep.go,when}
int64_t when(Duration d);

// The runtime's side (time.go's startTimer, stopTimer, resetTimer,
// modTimer).
void startTimer(runtimeTimer* t) GOSYMBOL("time.startTimer");
bool stopTimer(runtimeTimer* t) GOSYMBOL("time.stopTimer");
bool resetTimer(runtimeTimer* t, int64_t when) GOSYMBOL("time.resetTimer");
void modTimer(runtimeTimer* t, int64_t when, int64_t period, void (*f)(void*, uintptr_t), void* arg, uintptr_t seq)
    GOSYMBOL("time.modTimer");

/// Timer: one event. When it fires, the current time is sent on C (unless
/// it was made by AfterFunc, whose C is nil). Make it with NewTimer or
/// AfterFunc. \gosrc{time/sleep.go,Timer}
struct Timer {
  chan<Time> C;
  runtimeTimer r;

  bool Stop();
  bool Reset(Duration d);
};

void sendTime(void* arg, uintptr_t seq);
gort::ptr<Timer> NewTimer(Duration d);
chan<Time> After(Duration d);

namespace detail {
/// afterClosure: the heap closure AfterFunc keeps its function in. Each
/// firing starts a goroutine on it directly (goFunc: newproc of this
/// funcval, as Go's goFunc is `go arg.(func())()`), so call is the
/// goroutine's first frame: it catches Goexit's unwinding, as a go
/// statement's closure does, and leaves the closure alive, since a Reset
/// may fire it again. Like a go statement's closure it is scanned word by
/// word (its captures have no derivable map).
template <class F>
struct afterClosure : runtime::funcval {
  F f;
  explicit afterClosure(F&& f_) : f(std::move(f_)) { fn = &call; }
  static void call(runtime::funcval* fv) {
    try {
      static_cast<afterClosure*>(fv)->f();
    } catch (const runtime::goexitUnwind&) {
    }
  }
};
gort::ptr<Timer> afterFunc(Duration d, runtime::funcval* f);
}  // namespace detail

/// AfterFunc waits for d, then calls f in its own goroutine. The Timer's
/// Stop cancels the call if it has not started. \gosrc{time/sleep.go,AfterFunc}
/// AfterFunc(d, nullptr): Go's AfterFunc(d, nil), a timer whose firing
/// is Go's `go nil()`, the fatal error "go of nil func value"; stopped
/// before it fires, it is harmless (Go's benchmarks make such timers).
inline gort::ptr<Timer> AfterFunc(Duration d, std::nullptr_t) { return detail::afterFunc(d, nullptr); }
template <class F>
gort::ptr<Timer> AfterFunc(Duration d, F&& f) {
  using C = detail::afterClosure<std::decay_t<F>>;
  static_assert(alignof(C) <= 16 && sizeof(C) % sizeof(void*) == 0, "AfterFunc: closure layout");
  void* mem = runtime::mallocgc(sizeof(C), &runtime::typeOf<void*>, true);
  C* c = ::new (mem) C(std::decay_t<F>(std::forward<F>(f)));
  runtime::initBarrier(c, sizeof(C));
  return detail::afterFunc(d, c);
}

}  // namespace gort::time
