// goroutines.cpp: the program of the gdb_goroutines ctest, whose gdb session
// (goroutines.gdb, run by session.py) the book's chapter 10 also shows. When
// gdb stops in gort_gdb_stop, called by the running main goroutine:
//
//   consumer   waits in a chan receive on replies (unbuffered, no sender)
//   producer   two of them wait in a chan send on requests (cap 1, already
//              full), sending 2 and 3
//   selector   waits in a select on quit and ticks
//   locker     waits in sync.Mutex.Lock on mu (main holds it)
//   reader     waits in sync.RWMutex.RLock on rw (main holds the write lock)
//   joiner     waits in semacquire, in wg.Wait (the counter stays at 1)
//   nilrecv    waits in chan receive (nil chan)
//
// each at the line marked "// blocks: <wait reason>", which the check reads;
//
//   spin       two goroutines that never block. With GOMAXPROCS=2 they and
//              main share two Ps, so sysmon preempts them: main waits until
//              one of them is runnable (its context saved by __morestack);
//              the other may be running on its own thread;
//   fresh      started last, not run yet (it waits in main's P's runnext).
//
// Each goroutine stores its g before it blocks (parked[], spinners[]) and its
// goroutine id in a global (gid_consumer, ...) that the gdb session prints
// and uses, so that the test does not depend on how ids are handed out.
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "go.hpp"
#include "proc.hpp"
#include "stubs.hpp"
#include "sync/sync.hpp"

using gort::chan;

chan<int> requests;  // buffered, cap 1, full: producers park sending
chan<int> replies;   // unbuffered, nobody sends: consumer parks receiving
chan<bool> quit;     // selector waits on quit and ticks
chan<int> ticks;
gort::sync::Mutex mu;
gort::sync::RWMutex rw;
gort::sync::WaitGroup wg;

// Goroutine ids, read by the gdb session (`goroutine gid_producer[0] bt`).
int64_t gid_consumer, gid_producer[2], gid_selector, gid_locker, gid_reader, gid_joiner, gid_nilrecv,
    gid_spinner[2];

namespace {
constexpr int nparked = 8;
std::atomic<runtime::g*> parked[nparked];
std::atomic<runtime::g*> spinners[2];

// park_here records the calling goroutine in slot i and its id in *gid,
// just before the goroutine blocks.
void park_here(int i, int64_t* gid) {
  runtime::g* gp = runtime::getg();
  *gid = gp->goid;
  parked[i].store(gp);
}

// wait_parked yields until the goroutine in slot i has recorded itself and
// parked.
void wait_parked(int i) {
  for (;;) {
    runtime::g* gp = parked[i].load();
    if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Gwaiting) return;
    runtime::Gosched();
  }
}
}  // namespace

extern "C" __attribute__((noinline)) void gort_gdb_stop() { asm volatile(""); }

__attribute__((noinline)) void consumer() {
  park_here(0, &gid_consumer);
  int v = replies.recv();  // blocks: chan receive
  std::printf("consumer got %d\n", v);
}

__attribute__((noinline)) void producer(int slot, int v) {
  park_here(1 + slot, &gid_producer[slot]);
  requests.send(v);  // blocks: chan send
}

__attribute__((noinline)) void selector() {
  park_here(3, &gid_selector);
  int tick = 0;
  switch (gort::select({gort::recv(quit), gort::recv(ticks, &tick)})) {  // blocks: select
    case 0:
      return;
    case 1:
      std::printf("tick %d\n", tick);
  }
}

__attribute__((noinline)) void locker() {
  park_here(4, &gid_locker);
  mu.Lock();  // blocks: sync.Mutex.Lock
  mu.Unlock();
}

__attribute__((noinline)) void reader() {
  park_here(5, &gid_reader);
  rw.RLock();  // blocks: sync.RWMutex.RLock
  rw.RUnlock();
}

__attribute__((noinline)) void joiner() {
  park_here(6, &gid_joiner);
  wg.Wait();  // blocks: semacquire
  std::printf("joined\n");  // not a tail call: joiner keeps its frame
}

__attribute__((noinline)) void nilrecv() {
  park_here(7, &gid_nilrecv);
  chan<int> nilch;
  nilch.recv();  // blocks: chan receive (nil chan)
}

// step: a call with a split-stack prologue, where a preemption request
// (sysmon's stackPreempt in the guard word) stops the spinner.
__attribute__((noinline)) uint64_t step(uint64_t x) {
  asm volatile("" : "+r"(x));
  return x * 6364136223846793005u + 1;
}

__attribute__((noinline)) void spin(int slot) {
  runtime::g* gp = runtime::getg();
  gid_spinner[slot] = gp->goid;
  spinners[slot].store(gp);
  uint64_t x = uint64_t(slot);
  for (;;) x = step(x);
}

__attribute__((noinline)) void fresh() { std::printf("fresh ran\n"); }

static void main_main() {
  runtime::GOMAXPROCS(2);
  requests = gort::make_chan<int>(1);
  replies = gort::make_chan<int>();
  quit = gort::make_chan<bool>();
  ticks = gort::make_chan<int>();
  requests.send(1);  // the buffer is full now
  mu.Lock();
  rw.Lock();
  wg.Add(1);

  gort::go(consumer);
  // The second producer starts only once the first is parked, so that the
  // send queue reads "sends 2, sends 3" whichever P runs them (with both
  // started at once, GOMAXPROCS=2 could queue them either way round).
  gort::go(producer, 0, 2);
  wait_parked(1);
  gort::go(producer, 1, 3);
  gort::go(selector);
  gort::go(locker);
  gort::go(reader);
  gort::go(joiner);
  gort::go(nilrecv);
  gort::go(spin, 0);
  gort::go(spin, 1);

  // Wait until every goroutine has recorded itself and is parked, and a
  // spinner has been preempted at least once (it is runnable after it ran).
  for (long spins = 0;; spins++) {
    int n = 0;
    for (auto& slot : parked) {
      runtime::g* gp = slot.load();
      if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Gwaiting) n++;
    }
    bool preempted = false;
    for (auto& slot : spinners) {
      runtime::g* gp = slot.load();
      if (gp != nullptr && runtime::readgstatus(gp) == runtime::_Grunnable) preempted = true;
    }
    if (n == nparked && preempted) break;
    if (spins > 100'000'000) {
      std::fprintf(stderr, "goroutines: %d of %d goroutines parked, no spinner preempted\n", n, nparked);
      std::exit(1);
    }
    runtime::Gosched();
  }
  gort::go(fresh);
  gort_gdb_stop();
  std::printf("goroutines: %d parked\n", nparked);
  // Returning ends the process, parked goroutines and all, as in Go.
}

int main(int argc, char** argv) { runtime::rt0_go(argc, argv, main_main); }
