// time/tick.cpp: Ticker, mirroring src/time/tick.go at go1.22.12.
#include "time.hpp"

namespace gort::time {

/// NewTicker: a Ticker sending the time every d (d must be positive).
/// \gosrc{time/tick.go,NewTicker}
gort::ptr<Ticker> NewTicker(Duration d) {
  if (d <= 0) gort::panic("non-positive interval for NewTicker");
  // One slot: a slow reader loses ticks instead of making them pile up.
  auto c = make_chan<Time>(1);
  auto t = gort::new_<Ticker>();
  t->C = c;
  t->r.when = when(d);
  t->r.period = int64_t(d);
  t->r.f.fn = sendTime;
  t->r.arg = gort::ptr<anyObject>(reinterpret_cast<anyObject*>(&t->C));
  startTimer(&t->r);
  return t;
}

/// Stop turns the Ticker off; C is not closed. \gosrc{time/tick.go,Stop}
void Ticker::Stop() { stopTimer(&r); }

/// Reset changes the period to d and restarts the count from now.
/// \gosrc{time/tick.go,Reset}
void Ticker::Reset(Duration d) {
  if (d <= 0) gort::panic("non-positive interval for Ticker.Reset");
  if (r.f.fn == nullptr) gort::panic("time: Reset called on uninitialized Ticker");
  modTimer(&r, when(d), int64_t(d), r.f.fn, r.arg.get(), r.seq);
}

/// Tick: NewTicker(d).C, for a ticker never stopped; nil for d <= 0.
/// \gosrc{time/tick.go,Tick}
chan<Time> Tick(Duration d) {
  if (d <= 0) return nullptr;
  return NewTicker(d)->C;
}

}  // namespace gort::time
