// testprog/race.cpp: programs for the ThreadSanitizer build (GORT_SANITIZE=
// thread), in the spirit of Go's runtime/race tests: memory that a channel,
// a mutex or a WaitGroup orders must not be reported, and two goroutines
// that write one variable at the same time must be. tests/race_test.cpp
// runs them (only in that build: elsewhere no detector is watching).
//
// Every shared variable here is an ordinary int: the only thing ordering
// the accesses is the runtime operation between them, so the detector's
// verdict is a verdict on the runtime's happens-before edges (race.hpp).
#include <atomic>
#include <string>

#include "chan.hpp"
#include "debug/garbage.hpp"
#include "go.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

int shared;  // written and read by more than one goroutine below
int slots[1000];

// A write, then a send; the receiver reads after its receive (Go's memory
// model: a send happens before the matching receive completes), on an
// unbuffered channel (direct hand-off to a parked receiver or sender) and
// buffered ones. Each message has its own slot, so that the only order
// between a write and the read of that slot is the one the channel gives;
// and the buffer's capacity orders the receiver's acknowledgements (the
// k-th receive happens before the (k+C)-th send completes), which the
// receiver's writes to ack rely on.
void RaceChanOrdered() {
  for (int cap : {0, 1, 8}) {
    auto c = gort::make_chan<int>(cap);
    auto done = gort::make_chan<bool>();
    gort::go([c, done] {
      for (int i = 0; i < 1000; i++) {
        int v = c.recv();
        if (slots[v] != v + 1) println("wrong value in a slot");
        slots[v] = 0;  // ordered before main's reuse by done below
      }
      done.send(true);
    });
    for (int i = 0; i < 1000; i++) {
      slots[i] = i + 1;  // before the send of i
      c.send(i);
    }
    done.recv();
    for (int i = 0; i < 1000; i++)
      if (slots[i] != 0) println("a slot was not cleared");
  }
  auto closed = gort::make_chan<int>();
  gort::go([closed] {
    shared = 42;
    gort::close(closed);
  });
  auto [v, ok] = closed.recv2();
  if (ok || v != 0 || shared != 42) println("close did not order the write");
  // select: the case taken orders like the plain operation.
  auto a = gort::make_chan<int>(1), b = gort::make_chan<int>(1);
  gort::go([a] {
    shared = 7;
    a.send(1);
  });
  int got = 0;
  gort::select({gort::recv(a, &got), gort::recv(b)});
  if (shared != 7) println("select did not order the write");
  fmtPrintln("ordered by channels: no race");
}

// sync.Mutex, sync.WaitGroup and sync.Once order what they protect.
void RaceSyncOrdered() {
  gort::sync::Mutex mu;
  gort::sync::WaitGroup wg;
  for (int i = 0; i < 8; i++) {
    wg.Add(1);
    gort::go([&mu, &wg] {
      for (int k = 0; k < 1000; k++) {
        mu.Lock();
        shared++;
        mu.Unlock();
      }
      wg.Done();
    });
  }
  wg.Wait();
  if (shared != 8000) println("lost increments under the mutex");
  fmtPrintln("ordered by package sync: no race");
}

// Two goroutines running at the same time on two Ms write shared with
// nothing between them but a relaxed flag (which orders nothing): a real
// race, which the detector must report. The child runs at GOMAXPROCS=2 so
// that both really run at once.
//
// Goroutine 1 writes first and goroutine 0 only after it has seen a relaxed
// flag (which orders nothing). Released together, the two wrote at nearly
// the same moment, and about one run in a hundred went unreported here
// (ThreadSanitizer's check of a shadow cell and its update are not one
// atomic step); written apart, none of 400 did. Neither
// synchronizes with anything until both have written (wrote), so no send or
// runtime lock can order the two writes either.
//
// The goroutines spin without calls, where no stop of the world and no
// stack scan can stop them (no asynchronous preemption yet, issue 13): the
// collector is turned off first, as Go's tests that spin do (the gc label
// runs this with GOGC=1, and a cycle that began while one goroutine spun
// waiting for the other, not yet running, never ended).
void RaceUnordered() {
  gort::debug::SetGCPercent(-1);
  std::atomic<int> arrived{0};
  std::atomic<int> wrote{0};
  auto done = gort::make_chan<bool>();
  for (int i = 0; i < 2; i++) {
    gort::go([&arrived, &wrote, done, i] {
      arrived.fetch_add(1, std::memory_order_relaxed);
      while (arrived.load(std::memory_order_relaxed) < 2) {
      }
      if (i == 0) {
        while (wrote.load(std::memory_order_relaxed) < 1) {
        }
      }
      shared = i;  // both goroutines, unordered
      wrote.fetch_add(1, std::memory_order_relaxed);
      while (wrote.load(std::memory_order_relaxed) < 2) {
      }
      done.send(true);
    });
  }
  done.recv();
  done.recv();
  fmtPrintln("unordered writes done");
}

bool registered = [] {
  register_("RaceChanOrdered", RaceChanOrdered);
  register_("RaceSyncOrdered", RaceSyncOrdered);
  register_("RaceUnordered", RaceUnordered);
  return true;
}();

}  // namespace
}  // namespace testprog
