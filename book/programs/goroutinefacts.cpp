// goroutinefacts: go statements seen from inside the runtime, for the "Things
// to try" of the book's chapter on creating a goroutine
// (book/chapters/20-goroutines.rst). The book's build runs it in both modes
// (book/tools/gen.py), checks that the output still shows what the chapter
// says, and draws the ring it prints.
//
//   build/book/programs/goroutinefacts ring
//       At GOMAXPROCS=1 (the program sets it), lets goroutines run through
//       the P's ring until its head stands four slots before the end, then
//       makes ten go statements and prints the ring as it is: runqhead,
//       runqtail, runnext and the goid in every live slot. Then it makes
//       more, until the ring is full and the next one sends half of it to
//       the global queue (runqputslow), and prints that; lets them all run;
//       and shows the next go statement reusing the g at the head of the P's
//       free list.
//   build/book/programs/goroutinefacts steal
//       At GOMAXPROCS=2, makes nine go statements and never gives its P
//       away; prints which P ran each goroutine (another P, that stole them).
//
// The program reads the P's fields (runtime2.hpp) directly, as a debugger
// would. While it builds a state and reads it, it holds acquirem: the M
// counts a lock, so sysmon's preemption requests are set aside (canPreemptM)
// and nothing but the go statements changes the queue. At GOMAXPROCS=1 no
// other P can take from it, so the state printed is the one the go
// statements made.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "go.hpp"
#include "proc.hpp"
#include "runtime.hpp"

using runtime::g;
using runtime::p;
using runtime::runqsize;

namespace {

p* myp() { return runtime::getg()->m->p.ptr(); }

// A wave of goroutines that each count down; the last one closes done.
std::atomic<int> left;
gort::chan<int> done;

void finisher() {
  if (left.fetch_sub(1) == 1) gort::close(done);
}

// start: n go statements of finisher; wait: until all n have run.
void start(int n) {
  left = n;
  done = gort::make_chan<int>();
  for (int i = 0; i < n; i++) gort::go(finisher);
}
void wait() { done.recv(); }

// The slot a free-running counter stands for.
uint32_t slot(uint32_t counter) { return counter % runqsize; }

// The ring's first live slot in the picture: four before the end, so that
// ten go statements (nine in the ring, one in runnext) wrap around.
constexpr uint32_t firstSlot = runqsize - 4;
constexpr int snapshotGos = 10;

void printRing(p* pp) {
  uint32_t h = pp->runqhead, t = pp->runqtail;
  g* next = pp->runnext.ptr();
  std::printf("runqhead %u (slot %u), runqtail %u (slot %u): %u queued\n", h, slot(h), t, slot(t), t - h);
  if (next != nullptr)
    std::printf("runnext  goid %lld\n", (long long)next->goid);
  else
    std::printf("runnext  empty\n");
  for (uint32_t c = h; c != t; c++) std::printf("slot %3u goid %lld\n", slot(c), (long long)pp->runq[slot(c)].ptr()->goid);
  // The slots outside head..tail hold whatever was last put there: stale g
  // pointers, never read again until the owner writes the slot anew.
  int stale = 0;
  for (uint32_t c = t; c != h + runqsize; c++)
    if (pp->runq[slot(c)].ptr() != nullptr) stale++;
  std::printf("other slots: %d of %u still hold an old g pointer\n", stale, runqsize - (t - h));
}

void ring() {
  runtime::GOMAXPROCS(1);
  // The runtime's own goroutines settle (they park) and the ring empties.
  for (int i = 0; i < 100 && !runtime::runqempty(myp()); i++) runtime::Gosched();
  // Let goroutines run through the ring until its head is at firstSlot: w
  // go statements put w-1 in the ring (the last stays in runnext), and they
  // all run while main waits. A preemption may disturb a wave; then the
  // next one corrects it.
  for (int tries = 0; tries < 4 && !(runtime::runqempty(myp()) && slot(myp()->runqhead) == firstSlot); tries++) {
    uint32_t w = (firstSlot - slot(myp()->runqhead) + runqsize) % runqsize + 1;
    start(int(w));
    wait();
  }

  runtime::m* mp = runtime::acquirem();
  p* pp = myp();
  if (!runtime::runqempty(pp) || slot(pp->runqhead) != firstSlot)
    std::printf("warning: the ring did not start empty at slot %u\n", firstSlot);
  std::printf("P%d, GOMAXPROCS=1: %d go statements\n", pp->id, snapshotGos);
  start(snapshotGos);
  printRing(pp);
  std::printf("goidcache %llu, goidcacheend %llu, sched.goidgen %llu\n", (unsigned long long)pp->goidcache,
              (unsigned long long)pp->goidcacheend, (unsigned long long)runtime::sched.goidgen.Load());

  // Fill the ring: every go statement kicks the runnext before it into the
  // ring, until the ring is full; the next kick finds no room.
  int more = int(runqsize - (pp->runqtail - pp->runqhead));
  for (int i = 0; i < more; i++) gort::go(finisher);
  std::printf("after %d more: %u queued, runnext goid %lld, global queue %d\n", more,
              pp->runqtail - pp->runqhead, (long long)pp->runnext.ptr()->goid, int(runtime::sched.runqsize));
  g* oldhead = pp->runq[slot(pp->runqhead)].ptr();
  g* kicked = pp->runnext.ptr();
  gort::go(finisher);
  g* ghead = runtime::sched.runq.head.ptr();
  g* gtail = runtime::sched.runq.tail.ptr();
  std::printf("after 1 more: %u queued, runnext goid %lld, global queue %d (goid %lld to %lld)\n",
              pp->runqtail - pp->runqhead, (long long)pp->runnext.ptr()->goid, int(runtime::sched.runqsize),
              ghead ? (long long)ghead->goid : -1LL, gtail ? (long long)gtail->goid : -1LL);
  std::printf("the global queue starts with the ring's old head: %s; ends with the kicked runnext: %s\n",
              ghead == oldhead ? "yes" : "no", gtail == kicked ? "yes" : "no");
  left += more + 1;
  runtime::releasem(mp);
  wait();

  // All dead: their gs are on the free lists, with their stacks.
  mp = runtime::acquirem();
  pp = myp();
  g* reuse = pp->gFree.list.head.ptr();
  long long oldgoid = reuse ? (long long)reuse->goid : -1;
  uintptr_t oldlo = reuse ? reuse->stack_.lo : 0;
  std::printf("free gs: %d on P%d, %d on the global lists; %lld gs ever made\n", int(pp->gFree.n), pp->id,
              int(runtime::sched.gFree.n), (long long)runtime::allglen);
  start(1);
  g* newg = pp->runnext.ptr();
  std::printf("next go statement: goid %lld, %s g (last goid %lld), %s stack\n", (long long)newg->goid,
              newg == reuse ? "the free list's first" : "another", oldgoid,
              newg->stack_.lo == oldlo ? "same" : "another");
  std::printf("free gs: %d on P%d\n", int(pp->gFree.n), pp->id);
  runtime::releasem(mp);
  wait();
}

// steal: which P ran each goroutine.
constexpr int stealGos = 9;
std::atomic<int> ran;
struct Run {
  long long goid;
  int p;
};
Run runs[stealGos];

void recordRun() {
  g* gp = runtime::getg();
  int i = ran.load();
  while (!ran.compare_exchange_weak(i, i + 1)) {
  }
  runs[i] = Run{gp->goid, gp->m->p.ptr()->id};
}

void steal() {
  runtime::GOMAXPROCS(2);
  for (int i = 0; i < 100 && !runtime::runqempty(myp()); i++) runtime::Gosched();
  runtime::m* mp = runtime::acquirem();
  int me = myp()->id;
  for (int i = 0; i < stealGos; i++) gort::go(recordRun);
  // Keep the P: spin (no call into the scheduler) until all have run.
  auto t0 = std::chrono::steady_clock::now();
  while (ran.load() < stealGos && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20)) {
  }
  int n = ran.load();
  runtime::releasem(mp);
  std::printf("P%d, GOMAXPROCS=2: %d go statements; P%d kept running main meanwhile\n", me, stealGos, me);
  int onme = 0;
  for (int i = 0; i < n; i++) {
    std::printf("ran %d: goid %lld on P%d\n", i + 1, runs[i].goid, runs[i].p);
    if (runs[i].p == me) onme++;
  }
  std::printf("%d of %d ran, %d on P%d\n", n, stealGos, onme, me);
}

const char* mode;

void main_main() {
  if (std::strcmp(mode, "ring") == 0)
    ring();
  else
    steal();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "ring") != 0 && std::strcmp(argv[1], "steal") != 0)) {
    std::fprintf(stderr, "usage: goroutinefacts ring|steal\n");
    return 2;
  }
  mode = argv[1];
  runtime::rt0_go(argc, argv, main_main);
}
