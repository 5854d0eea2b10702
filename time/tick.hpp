// time/tick.hpp: Ticker and Tick, mirroring src/time/tick.go at go1.22.12.
// Included by time/time.hpp. A Ticker is a Timer whose runtime timer has a
// period: the runtime moves it forward by whole periods each time it fires
// (dropping ticks a slow reader missed, as the channel holds one).
#pragma once
#include "sleep.hpp"

namespace gort::time {

/// Ticker: sends the time on C every period. \gosrc{time/tick.go,Ticker}
struct Ticker {
  chan<Time> C;
  runtimeTimer r;

  void Stop();
  void Reset(Duration d);
};

gort::ptr<Ticker> NewTicker(Duration d);
chan<Time> Tick(Duration d);

}  // namespace gort::time
