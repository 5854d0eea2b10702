// preempt_test.cpp: tests of preempt.cpp (suspendG, resumeG) and of
// proc.cpp's forEachP. Go has no direct test of either: Go reaches them only
// through its collector, in the GC tests and in proc_test.go's
// TestPreemptionGC (not ported yet: tests/inventory/todo.tsv). So these are
// the port's own tests, tagged [gort].
//
// Conventions (as proc_test.cpp): goroutines report through atomics or
// channels and only the test goroutine asserts. suspendG runs as its callers
// in Go's collector do: on the system stack, with the calling goroutine put
// in _Gwaiting first (onSystemStackPreemptible below). Nothing that may block or
// throw a C++ exception runs on the system stack; findings are copied out
// and asserted afterwards.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chan.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "preempt.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "sema.hpp"

using gort_test::GOMAXPROCSGuard;
using gort_test::Millisecond;
using gort_test::Sleep;

namespace {

using runtime::g;

/// A function with a split-stack prologue, called through a volatile
/// pointer so that the spinning loops below make a real call each time:
/// the prologue is where a preemption request is noticed.
NOINLINE int splitBody() {
  volatile int a[8];
  for (int i = 0; i < 8; i++) a[i] = i;
  int s = 0;
  for (int i = 0; i < 8; i++) s += a[i];
  return s;
}
int (*volatile split)() = splitBody;

/// onSystemStackPreemptible runs f on the system stack with the calling
/// goroutine in _Gwaiting, which is how suspendG's and forEachPInternal's
/// callers must call them (preempt.cpp, "Contexts").
template <class F>
void onSystemStackPreemptible(F&& f) {
  g* gp = runtime::getg();
  runtime::systemstack([&] {
    runtime::casGToWaiting(gp, runtime::_Grunning, runtime::waitReasonGarbageCollectionScan);
    f();
    runtime::casgstatus(gp, runtime::_Gwaiting, runtime::_Grunning);
  });
}

/// spinState: what a spinner shares with the test, in the C++ heap (no GC
/// references: the collector does not read the C++ heap).
struct spinState {
  std::atomic<g*> gp{nullptr};
  std::atomic<uint64_t> counter{0};
  std::atomic<bool> stop{false};
};

/// spinner: a goroutine that spins, counting, through calls with a
/// prologue. Its done channel is a GC reference, so it is kept in the
/// handle, not in spinState: a handle lives where the collector looks (a
/// goroutine's stack, a gc_allocator buffer), and the spinning goroutine
/// holds its own copy in its closure.
struct spinner {
  std::shared_ptr<spinState> st;
  gort::chan<bool> done;
  spinState* operator->() const { return st.get(); }
};

spinner startSpinner() {
  spinner s{std::make_shared<spinState>(), gort::make_chan<bool>(1)};
  gort::go([st = s.st, done = s.done] {
    st->gp.store(runtime::getg());
    while (!st->stop.load(std::memory_order_relaxed)) {
      st->counter.fetch_add(1, std::memory_order_relaxed);
      split();
    }
    done.send(true);
  });
  while (s->counter.load() == 0) runtime::Gosched();
  return s;
}

void stopSpinner(const spinner& s) {
  s->stop.store(true);
  s.done.recv();
}

/// At least 2 Ps for the scope: a goroutine can only be suspended while it
/// runs if the suspender runs at the same time.
int atLeast2() {
  int n = runtime::GOMAXPROCS(0);
  return n < 2 ? 2 : n;
}

/// Waits (yielding) until cond() holds; a broken runtime hangs here, and the
/// ctest timeout reports it.
template <class C>
void waitUntil(C cond) {
  while (!cond()) runtime::Gosched();
}

}  // namespace

TEST_CASE("gort: suspendG stops a running goroutine at a prologue until resumeG", "[gort][suspendG]") {
  GOMAXPROCSGuard procs(atLeast2());
  auto s = startSpinner();
  g* target = s->gp.load();
  int stoppedRounds = 0;
  for (int round = 0; round < 200 && stoppedRounds < 5; round++) {
    runtime::suspendGState st{};
    uint32_t held = 0;
    runtime::waitReason reason = runtime::waitReasonZero;
    uint64_t c1 = 0, c2 = 0;
    onSystemStackPreemptible([&] {
      st = runtime::suspendG(target);
      held = runtime::readgstatus(target);
      reason = target->waitreason;
      c1 = s->counter.load();
      runtime::usleep(2000);  // the spinner, were it running, would count on
      c2 = s->counter.load();
      runtime::resumeG(st);
    });
    REQUIRE(!st.dead);
    REQUIRE(st.g_ == target);
    REQUIRE((held & runtime::_Gscan) != 0);
    REQUIRE(c1 == c2);  // no progress while suspended
    if (st.stopped) {
      // It parked itself in _Gpreempted and suspendG claimed it.
      stoppedRounds++;
      CHECK(held == (runtime::_Gscan | runtime::_Gwaiting));
      CHECK(std::string(runtime::String(reason)) == "preempted");
    } else {
      // A sysmon preemption had it in a run queue at that moment.
      CHECK(held == (runtime::_Gscan | runtime::_Grunnable));
    }
    // And it goes on after resumeG.
    waitUntil([&] { return s->counter.load() > c2; });
  }
  CHECK(stoppedRounds >= 1);
  stopSpinner(s);
}

TEST_CASE("gort: suspendG holds a goroutine parked on a channel receive", "[gort][suspendG]") {
  GOMAXPROCSGuard procs(atLeast2());  // the sender below needs a P of its own
  auto ch = gort::make_chan<int>();
  auto got = std::make_shared<std::atomic<int>>(0);
  auto tgt = std::make_shared<std::atomic<g*>>(nullptr);
  auto done = gort::make_chan<bool>(1);
  gort::go([=] {
    tgt->store(runtime::getg());
    got->store(ch.recv());
    done.send(true);
  });
  waitUntil([&] { return tgt->load() != nullptr && runtime::readgstatus(tgt->load()) == runtime::_Gwaiting; });
  g* target = tgt->load();
  // A sender tries to ready the receiver while it is held.
  auto sendNow = std::make_shared<std::atomic<bool>>(false);
  auto sent = std::make_shared<std::atomic<bool>>(false);
  gort::go([=] {
    while (!sendNow->load()) runtime::Gosched();
    ch.send(42);
    sent->store(true);
  });
  runtime::suspendGState st{};
  uint32_t held = 0, heldLater = 0;
  int gotWhileHeld = -1;
  onSystemStackPreemptible([&] {
    st = runtime::suspendG(target);
    held = runtime::readgstatus(target);
    sendNow->store(true);
    runtime::usleep(5000);  // with a second P, the sender is in ready, spinning
    heldLater = runtime::readgstatus(target);
    gotWhileHeld = got->load();
    runtime::resumeG(st);
  });
  CHECK(!st.dead);
  CHECK(!st.stopped);  // it was parked already: nothing for resumeG to ready
  CHECK(held == (runtime::_Gscan | runtime::_Gwaiting));
  CHECK(heldLater == held);
  CHECK(gotWhileHeld == 0);
  done.recv();
  CHECK(got->load() == 42);
  waitUntil([&] { return sent->load(); });
}

TEST_CASE("gort: suspendG holds a runnable goroutine in its run queue", "[gort][suspendG]") {
  // One P: a new goroutine waits in runnext until this one lets go.
  GOMAXPROCSGuard procs(1);
  int runnableRounds = 0;
  for (int round = 0; round < 20 && runnableRounds < 3; round++) {
    auto started = std::make_shared<std::atomic<bool>>(false);
    auto tgt = std::make_shared<std::atomic<g*>>(nullptr);
    auto done = gort::make_chan<bool>(1);
    runtime::Gosched();  // a fresh time slice, so sysmon leaves us alone
    gort::go([=] {
      started->store(true);
      done.send(true);
    });
    // The newest goroutine is allgs' last entry only if it is new; find it
    // through runnext instead, where go() put it.
    g* target = runtime::getg()->m->p.ptr()->runnext.ptr();
    runtime::suspendGState st{};
    uint32_t held = 0;
    bool startedWhileHeld = true;
    if (target != nullptr) {
      onSystemStackPreemptible([&] {
        st = runtime::suspendG(target);
        held = runtime::readgstatus(target);
        runtime::usleep(1000);
        startedWhileHeld = started->load();
        runtime::resumeG(st);
      });
      CHECK(!st.dead);
      CHECK(!st.stopped);
      if (held == (runtime::_Gscan | runtime::_Grunnable)) {
        runnableRounds++;
        CHECK(!startedWhileHeld);
      }
    }
    done.recv();
    CHECK(started->load());
  }
  CHECK(runnableRounds >= 1);
}

namespace {
// forEachP's function takes no closure (Go's fn would be a closure; the port
// passes a plain function), so its record is global.
constexpr int maxTestProcs = 64;
std::atomic<int> forEachPCalls[maxTestProcs];
std::atomic<int> forEachPTotal{0};
std::atomic<int> forEachPOnOwnP{0};
void countP(runtime::p* pp) {
  if (pp->id >= 0 && pp->id < maxTestProcs) forEachPCalls[pp->id].fetch_add(1);
  forEachPTotal.fetch_add(1);
  if (runtime::getg()->m->p.ptr() == pp) forEachPOnOwnP.fetch_add(1);
}

/// forEachPCounted: zero the record, then run countP on every P through
/// forEachP, holding worldsema around it as forEachP's callers must.
void forEachPCounted() {
  for (auto& c : forEachPCalls) c.store(0);
  forEachPTotal.store(0);
  forEachPOnOwnP.store(0);
  runtime::semacquire(&runtime::worldsema);
  runtime::forEachP(runtime::waitReasonFlushProcCaches, countP);
  runtime::semrelease(&runtime::worldsema);
}
}  // namespace

TEST_CASE("gort: forEachP runs fn exactly once on every P", "[gort][forEachP]") {
  for (int n : {1, 2, 4}) {
    GOMAXPROCSGuard procs(n);
    // Some Ps busy with spinners, some going idle and busy again through a
    // ping-pong pair, the rest idle.
    // The handles hold GC references (done channels): their buffer is on
    // the collected heap.
    std::vector<spinner, gort::gc_allocator<spinner>> spinners;
    for (int i = 0; i < n / 2; i++) spinners.push_back(startSpinner());
    auto ping = gort::make_chan<int>();
    auto pong = gort::make_chan<int>();
    auto stopPing = std::make_shared<std::atomic<bool>>(false);
    auto pingDone = gort::make_chan<bool>(1);
    gort::go([=] {
      for (int i = 0;; i++) {
        if (stopPing->load()) {
          ping.send(-1);
          break;
        }
        ping.send(i);
        pong.recv();
      }
      pingDone.send(true);
    });
    gort::go([=] {
      for (;;) {
        if (ping.recv() < 0) break;
        pong.send(0);
      }
    });
    for (int iter = 0; iter < 20; iter++) {
      forEachPCounted();
      REQUIRE(forEachPTotal.load() == n);
      for (int id = 0; id < maxTestProcs; id++) {
        INFO("GOMAXPROCS=" << n << " P " << id);
        REQUIRE(forEachPCalls[id].load() == (id < n ? 1 : 0));
      }
      // At least the caller's own P ran fn itself.
      REQUIRE(forEachPOnOwnP.load() >= 1);
    }
    stopPing->store(true);
    pingDone.recv();
    for (auto& s : spinners) stopSpinner(s);
  }
}

TEST_CASE("gort: forEachP waits for a running P to reach a safe point", "[gort][forEachP]") {
  GOMAXPROCSGuard procs(atLeast2());
  auto s = startSpinner();
  for (int iter = 0; iter < 20; iter++) {
    forEachPCounted();
    int n = runtime::GOMAXPROCS(0);
    REQUIRE(forEachPTotal.load() == n);
    for (int id = 0; id < n; id++) REQUIRE(forEachPCalls[id].load() == 1);
  }
  uint64_t c = s->counter.load();
  waitUntil([&] { return s->counter.load() > c; });  // and it still runs
  stopSpinner(s);
}

TEST_CASE("gort: a goroutine parked in _Gpreempted shows as [preempted] in a dump", "[gort][suspendG]") {
  GOMAXPROCSGuard procs(atLeast2());
  auto s = startSpinner();
  g* target = s->gp.load();
  // Make the request half of suspendG by hand, without claiming the
  // goroutine, so that it stays in _Gpreempted for the dump. The spinner
  // may be between two time slices (a sysmon preemption) at an attempt:
  // try again, as the first test does.
  bool asked = false;
  constexpr int attempts = 200;
  for (int attempt = 0; attempt < attempts && !asked; attempt++) {
    if (attempt > 0) runtime::Gosched();
    runtime::systemstack([&] {
      if (!runtime::castogscanstatus(target, runtime::_Grunning, runtime::_Gscan | runtime::_Grunning)) return;
      target->preemptStop = true;
      target->preempt = true;
      target->stackguard0 = runtime::stackPreempt;
      runtime::m* mp = target->m;
      runtime::atomic::Store(runtime::tlsguardword(mp), runtime::stackPreempt);
      runtime::casfrom_Gscanstatus(target, runtime::_Gscan | runtime::_Grunning, runtime::_Grunning);
      asked = true;
    });
  }
  if (!asked) {
    stopSpinner(s);
    SKIP("the spinner was not running at any of " << attempts << " requests; nothing to dump");
  }
  waitUntil([&] { return runtime::readgstatus(target) == runtime::_Gpreempted; });
  uint64_t frozen = s->counter.load();
  std::vector<char> buf(1 << 20);
  int n = runtime::Stack(buf, true);
  std::string dump(buf.data(), size_t(n));
  std::string header = "goroutine " + std::to_string(target->goid) + " [preempted]:\n";
  size_t at = dump.find(header);
  CHECK(at != std::string::npos);
  // Its frames start at the function whose prologue it stopped in, then
  // the spinner's loop, as Go's traceback of a preempted goroutine does.
  // A preemption signal (sysmon's, or an earlier attempt's) may have
  // stopped it in the loop itself, between two calls: then the loop's
  // frame comes first (asyncPreempt and asyncPreempt2 are runtime frames,
  // which dumps hide, as Go's do).
  std::string section = at == std::string::npos ? "" : dump.substr(at, dump.find("\n\n", at) - at);
  INFO(section << "\nstopped by a signal: " << target->asyncSafePoint.load());
  if (!target->asyncSafePoint) CHECK(section.find("splitBody") != std::string::npos);
  CHECK(section.find("startSpinner") != std::string::npos);
  CHECK(section.find("__morestack") == std::string::npos);
  CHECK(s->counter.load() == frozen);  // parked: nobody readies it but a suspender
  // Claim it as suspendG does, and let it go.
  runtime::suspendGState st{};
  uint32_t held = 0;
  onSystemStackPreemptible([&] {
    st = runtime::suspendG(target);
    held = runtime::readgstatus(target);
    runtime::resumeG(st);
  });
  CHECK(st.stopped);
  CHECK(held == (runtime::_Gscan | runtime::_Gwaiting));
  waitUntil([&] { return s->counter.load() > frozen; });
  stopSpinner(s);
}

// gort only: the write barrier stores before it tests whether barriers
// are on ([wb-order], mwbbuf.hpp), and a goroutine a signal stops between
// the two keeps the old value in a register; gcMarkDone scans the stack of
// every such goroutine before it ends a mark (gcScanAsyncStopped). Here a
// goroutine holds a pointer only in a register while it spins without a
// call; stopped by the signal of a stop-the-world, it must be marked as
// stopped at an asynchronous safe point, with the pointer among the words
// the scan reads (asyncPreempt's saved registers).
TEST_CASE("gort: a goroutine a signal stopped holds its registers where the mark's last scan reads", "[gort][preempt]") {
  if (!runtime::PreemptMSupported()) SKIP("asynchronous preemption is off in this process (see preempt.cpp)");
  gort_test::GCPercentGuard gcoff(-1);  // no cycle's stop-the-world but the probe's
  static std::atomic<bool> stop, spinning;
  static std::atomic<uintptr_t> seen;
  stop = false;
  spinning = false;
  seen = 0;
  auto obj = gort::new_<int64_t>(0x5eed);
  uintptr_t addr = uintptr_t(obj.get());
  auto done = gort::make_chan<int>(1);
  gort::go([addr, done] {
    uintptr_t p = addr;  // from here on only in a register
    spinning = true;
    while (!stop.load(std::memory_order_relaxed)) asm volatile("" : "+r"(p));
    seen = p;
    done.send(1);
  });
  while (!spinning.load()) runtime::Gosched();
  // Let the spinner be on its P's thread, in its loop, when the world stops.
  for (int i = 0; i < 10; i++) runtime::Gosched();
  int stopped = 0;
  bool held = false;
  for (int try_ = 0; try_ < 50 && !held; try_++) held = runtime::AsyncStoppedHolds(addr, &stopped);
  stop = true;
  done.recv();
  INFO("goroutines stopped by a signal: " << stopped);
  CHECK(held);
  CHECK(seen.load() == addr);
  runtime::KeepAlive(obj);
}

TEST_CASE("gort: suspendG and resumeG under stress", "[gort][suspendG]") {
  constexpr int nworkers = 16;
  constexpr int rounds = 300;
  struct shared {
    // The workers, the two suspenders, and the latest short-lived
    // goroutine (often dead, or its g already reused, when it is aimed at).
    std::atomic<g*> targets[nworkers + 3];
    std::atomic<bool> stop{false};
    std::atomic<int> suspended{0};
    std::atomic<int> badStatus{0};
  };
  auto sh = std::make_shared<shared>();
  for (auto& t : sh->targets) t.store(nullptr);
  auto done = gort::make_chan<int>(nworkers + 3);
  auto ch = gort::make_chan<int>(4);
  // Workers of four kinds: spinners with calls, channel traffic, yields,
  // and short-lived goroutines (their gs die and are reused).
  //
  // The fourth kind allocates, so it may start a collection, and gcStart
  // stops the world from the system stack with its goroutine still
  // _Grunning (Go's mgc.go:gcStart does the same). A suspender aimed at it
  // then waits for a goroutine that waits for the suspender's P: Go never
  // meets this, since its only caller of suspendG, markroot, runs during
  // the mark phase, when no collection can start, and mark termination
  // waits for every root job to finish. So the test keeps that invariant:
  // only the goroutines that never allocate are targets.
  for (int w = 0; w < nworkers; w++) {
    gort::go([=] {
      if (w % 4 != 3) sh->targets[w].store(runtime::getg());
      uint64_t n = 0;
      while (!sh->stop.load()) {
        switch (w % 4) {
          case 0:
            for (int i = 0; i < 1000; i++) split();
            break;
          case 1:
            ch.send(w);
            break;
          case 2:
            ch.recv();
            break;
          default:
            if (++n % 8 == 0) {
              auto c = gort::make_chan<bool>(1);
              gort::go([c, sh] {
                sh->targets[nworkers + 2].store(runtime::getg());
                c.send(split() > 0);
              });
              c.recv();
            }
            runtime::Gosched();
        }
      }
      done.send(w);
    });
  }
  // Two suspenders, each also a target of the other (and of itself: a
  // goroutine in _Gwaiting on the system stack can be suspended by anyone).
  for (int k = 0; k < 2; k++) {
    gort::go([=] {
      sh->targets[nworkers + k].store(runtime::getg());
      uint32_t seed = 12345u + uint32_t(k);
      for (int r = 0; r < rounds; r++) {
        seed = seed * 1103515245u + 12345u;
        g* target = sh->targets[(seed >> 8) % (nworkers + 3)].load();
        if (target == nullptr) {
          runtime::Gosched();
          continue;
        }
        onSystemStackPreemptible([&] {
          runtime::suspendGState st = runtime::suspendG(target);
          if (st.dead) {
            if (st.g_ != nullptr) sh->badStatus.fetch_add(1);
          } else {
            uint32_t s = runtime::readgstatus(target);
            if ((s & runtime::_Gscan) == 0 || st.g_ != target) sh->badStatus.fetch_add(1);
            sh->suspended.fetch_add(1);
          }
          runtime::resumeG(st);
        });
        if (r % 16 == 0) runtime::Gosched();
      }
      done.send(-1);
    });
  }
  // And forEachP now and then, from this goroutine.
  for (int i = 0; i < 10; i++) {
    forEachPCounted();
    REQUIRE(forEachPTotal.load() == runtime::GOMAXPROCS(0));
    Sleep(Millisecond);
  }
  // The workers report only after stop: the first two reports are the
  // suspenders'.
  for (int k = 0; k < 2; k++) CHECK(done.recv() == -1);
  sh->stop.store(true);
  // Unblock channel workers: senders need receivers and vice versa.
  auto drain = std::make_shared<std::atomic<bool>>(false);
  gort::go([=] {
    while (!drain->load()) {
      if (gort::select({gort::recv(ch), gort::send(ch, 0)}, gort::default_) < 0) runtime::Gosched();
    }
  });
  for (int w = 0; w < nworkers; w++) done.recv();
  drain->store(true);
  CHECK(sh->badStatus.load() == 0);
  CHECK(sh->suspended.load() > 0);
}
