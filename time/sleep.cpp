// time/sleep.cpp: Timer, NewTimer, After and AfterFunc, mirroring
// src/time/sleep.go at go1.22.12 (the design is in sleep.hpp).
#include "time.hpp"

namespace gort::time {

/// when: nanotime() + d, or the largest time if that overflows; now for
/// d <= 0. \gosrc{time/sleep.go,when}
int64_t when(Duration d) {
  if (d <= 0) return runtimeNano();
  // Wrapping, as Go's int64 addition (signed overflow is undefined in C++).
  int64_t t = int64_t(uint64_t(runtimeNano()) + uint64_t(d));
  // runtimeNano() and d are both positive: a negative sum overflowed.
  if (t < 0) t = INT64_MAX;
  return t;
}

/// Stop prevents the Timer from firing. False if it had already fired or
/// been stopped; a value it sent may still be in C. \gosrc{time/sleep.go,Stop}
bool Timer::Stop() {
  if (r.f.fn == nullptr) gort::panic("time: Stop called on uninitialized Timer");
  return stopTimer(&r);
}

/// sendTime: a Timer's or Ticker's function. arg is the address of its C
/// field. Never blocks: if the last value is still unread, this one is
/// dropped. Runs on the scheduler's stack. \gosrc{time/sleep.go,sendTime}
void sendTime(void* arg, uintptr_t) {
  const chan<Time>& c = *static_cast<const chan<Time>*>(arg);
  gort::select({gort::send(c, Now())}, gort::default_);
}

/// NewTimer: a Timer that sends the time on its channel after at least d.
/// \gosrc{time/sleep.go,NewTimer}
gort::ptr<Timer> NewTimer(Duration d) {
  auto c = make_chan<Time>(1);
  auto t = gort::new_<Timer>();
  t->C = c;
  t->r.when = when(d);
  t->r.f.fn = sendTime;
  t->r.arg = gort::ptr<anyObject>(reinterpret_cast<anyObject*>(&t->C));
  startTimer(&t->r);
  return t;
}

/// Reset makes the Timer fire after d from now; true if it was still
/// active. \gosrc{time/sleep.go,Reset}
bool Timer::Reset(Duration d) {
  if (r.f.fn == nullptr) gort::panic("time: Reset called on uninitialized Timer");
  int64_t w = when(d);
  return resetTimer(&r, w);
}

/// After: NewTimer(d).C. \gosrc{time/sleep.go,After}
chan<Time> After(Duration d) { return NewTimer(d)->C; }

/// goFunc: an AfterFunc timer's function: start the closure in a new
/// goroutine (from the scheduler's stack, as Go's does).
/// \gosrc{time/sleep.go,goFunc}
static void goFunc(void* arg, uintptr_t) {
  // The closure is the new goroutine's func value; a nil one (AfterFunc(d,
  // nil)) is newproc's "go of nil func value".
  runtime::newproc(static_cast<runtime::funcval*>(arg));
}

/// afterFunc: AfterFunc's Timer, for the closure f (sleep.hpp).
gort::ptr<Timer> detail::afterFunc(Duration d, runtime::funcval* f) {
  auto t = gort::new_<Timer>();
  t->r.when = when(d);
  t->r.f.fn = goFunc;
  t->r.arg = gort::ptr<anyObject>(reinterpret_cast<anyObject*>(f));
  startTimer(&t->r);
  return t;
}

}  // namespace gort::time
