// testprog/gort.cpp: sub-programs that Go's testprog does not have, for
// behaviour of gort that ends the process:
//   - the channel panics of chan.go (closechan, chansend, makechan) left
//     unrecovered, whose output Go's users know:
//       panic: send on closed channel
//
//       goroutine 1 [running]:
//   - a runtime call that would block, made from a thread the runtime did
//     not create (it has no g, so it cannot park): gort refuses it with a
//     fatal error instead of corrupting the scheduler.
//   - goroutine dumps (runtime.Stack and SIGQUIT) with each channel wait
//     reason, and the GODEBUG=schedtrace line of sysmon.
//   - GODEBUG=gcstoptheworld=1 keeping user goroutines off the Ps for the
//     mark (GCStopTheWorldUser).
//   - the GODEBUG=gctrace line of each cycle (GCTrace).
#include <signal.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "chan.hpp"
#include "go.hpp"
#include "mgc.hpp"
#include "proc.hpp"
#include "race.hpp"
#include "runtime.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

// chan.go chansend: a send on a closed channel panics (on the main
// goroutine).
void SendOnClosedChan() {
  auto c = gort::make_chan<int>();
  gort::close(c);
  c.send(1);
}

// GCTrace: three forced cycles with 4 MiB of live, pointerful heap (a slice
// of 2^19 words, half of them naming small objects), for GODEBUG=gctrace=1
// to describe; prints "done".
void GCTrace() {
  struct node {
    gort::ptr<node> next;
  };
  auto live = gort::make<gort::ptr<node>>(1 << 19);
  for (int i = 0; i < gort::len(live); i += 2) live[i] = gort::new_<node>();
  for (int i = 0; i < 3; i++) runtime::GC();
  runtime::KeepAlive(live);
  println("done");
}

// GCStopTheWorldUser: a user goroutine runs steps (each a Gosched) while
// main collects 10 times, with 2 MiB of pointerful heap to mark; prints
// how many steps ran while a cycle was in its mark phase. Under
// GODEBUG=gcstoptheworld=1 none may (schedEnableUser holds user goroutines
// back until the mark is over); otherwise the mark runs beside them.
void GCStopTheWorldUser() {
  struct node {
    gort::ptr<node> next;
  };
  auto live = gort::make<gort::ptr<node>>(1 << 17);
  for (int i = 0; i < gort::len(live); i++) live[i] = gort::new_<node>();

  std::atomic<bool> stop{false};
  std::atomic<int64_t> duringMark{0};
  auto done = gort::make_chan<bool>();
  gort::go([&] {
    while (!stop.load()) {
      if (runtime::atomic::detail::racyLoad(&runtime::gcphase) == runtime::_GCmark) duringMark++;
      runtime::Gosched();
    }
    done.send(true);
  });
  for (int i = 0; i < 10; i++) runtime::GC();
  stop.store(true);
  done.recv();
  println("steps during a mark: " + std::to_string(duringMark.load()));
  runtime::KeepAlive(live);
}

// waitParked returns once goroutine goid is parked for reason (a test's
// way to order itself after another goroutine's gopark; Go's tests do the
// same through runtime.Stack or export_test hooks).
void waitParked(int64_t goid, runtime::waitReason reason) {
  for (;;) {
    int64_t n = __atomic_load_n(&runtime::allglen, __ATOMIC_ACQUIRE);
    for (int64_t i = 0; i < n; i++) {
      runtime::g* gp = __atomic_load_n(&runtime::allgs[i], __ATOMIC_ACQUIRE);
      if (gp->goid == goid && runtime::readgstatus(gp) == runtime::_Gwaiting && gp->waitreason == reason) return;
    }
    runtime::Gosched();
  }
}

// The same panic on a goroutine other than main: the dump names that
// goroutine. It panics only once main is parked in done.recv(), so that
// GOTRACEBACK=all shows main's wait at any GOMAXPROCS.
void SendOnClosedChanGoroutine() {
  auto done = gort::make_chan<bool>();
  gort::go([=]() {
    waitParked(1, runtime::waitReasonChanReceive);
    auto c = gort::make_chan<int>();
    gort::close(c);
    c.send(1);
    done.send(true);
  });
  done.recv();
}

// chan.go closechan: closing a closed channel panics.
void CloseOfClosedChan() {
  auto c = gort::make_chan<int>();
  gort::close(c);
  gort::close(c);
}

// chan.go closechan: closing a nil channel panics.
void CloseOfNilChan() {
  gort::chan<int> c;
  gort::close(c);
}

// chan.go makechan: a negative size panics.
void MakechanSizeOutOfRange() {
  int n = -1;
  auto c = gort::make_chan<int>(n);
  (void)c;
}

// A plain std::thread (no M, no g) receives from a channel with no sender.
// The receive would have to park a goroutine that does not exist.
void ForeignThreadChanRecv() {
  auto c = gort::make_chan<int>();
  std::thread t([&c]() { c.recv(); });
  t.join();
  println("foreign thread's receive returned");
}

// The same refusal while the main goroutine waits for the foreign thread's
// value: every goroutine is blocked, so the deadlock detector may run at
// the same moment; one fatal error must be printed, whole.
//
// Main parks only once the thread is running and about to send: the
// detector waits 10 ms for a refusal (checkdead1), and starting a thread on
// a loaded machine can take longer than that, after which the deadlock is
// what the program has, and what it prints (see the README).
void ForeignThreadChanSend() {
  auto c = gort::make_chan<int>();
  std::atomic<bool> started{false};
  std::thread([c, &started]() mutable {
    started.store(true);
    c.send(1);
  }).detach();
  while (!started.load()) ::usleep(100);
  c.recv();
  println("main received from a foreign thread");
}

// Goroutines parked in every channel wait reason of runtime2.go. Returns
// once a dump shows them all parked (they may still be on their way when the
// go statements return).
const char* const parkedReasons[] = {"[chan receive]:", "[chan send]:", "[select]:",
                                     "[select (no cases)]:", "[chan send (nil chan)]:",
                                     "[chan receive (nil chan)]:"};
std::string parkAll() {
  auto a = gort::make_chan<int>();  // one channel per goroutine, so that
  auto b = gort::make_chan<int>();  // none can complete another's operation
  auto c = gort::make_chan<int>();
  auto d = gort::make_chan<int>();
  gort::go([a] { a.recv(); });                                    // chan receive
  gort::go([b] { b.send(1); });                                   // chan send
  gort::go([c, d] { gort::select({gort::recv(c), gort::send(d, 1)}); });  // select
  gort::go([] { gort::select({}); });                             // select (no cases)
  gort::go([] { gort::chan<int>().send(1); });                    // chan send (nil chan)
  gort::go([] { gort::chan<int>().recv(); });                     // chan receive (nil chan)
  std::vector<char> buf(1 << 20);
  for (int tries = 0; tries < 100000; tries++) {
    int n = runtime::Stack(buf, true);
    std::string dump(buf.data(), size_t(n));
    bool all = true;
    for (const char* r : parkedReasons) all = all && dump.find(r) != std::string::npos;
    if (all) return dump;
    runtime::Gosched();
  }
  return "goroutines never parked";
}

// runtime.Stack(buf, true) with goroutines parked in each wait reason.
void StackAllWaitReasons() { println(parkAll()); }

// SIGQUIT, as a user would send it to a hung program: Go's dump of every
// goroutine, then exit status 2.
void SigquitDump() {
  parkAll();
  // The signal goes to the process: any thread may take it, a little later.
  // Main keeps running meanwhile. Under TSan it goes to main's thread:
  // TSan holds a signal back until the thread that took it calls into libc,
  // and an idle M asleep in the futex system call (made directly, not
  // through libc) may not for as long as the program runs.
  if (runtime::raceenabled) {
    ::tgkill(::getpid(), ::gettid(), SIGQUIT);
  } else {
    ::kill(::getpid(), SIGQUIT);
  }
  for (int i = 0; i < 30000; i++) ::usleep(1000);
  println("SIGQUIT did not end the program");
}

// GODEBUG=schedtrace=10: sysmon prints a SCHED line every 10 ms; keep the
// program busy for a few of them.
void SchedTrace() {
  auto done = gort::make_chan<bool>();
  for (int i = 0; i < 4; i++) {
    gort::go([done] {
      for (int k = 0; k < 200; k++) {
        ::usleep(250);
        runtime::Gosched();
      }
      done.send(true);
    });
  }
  for (int i = 0; i < 4; i++) done.recv();
}

// Code built without the split-stack check (here a NOSPLIT function, as C
// code or a library built without -fsplit-stack would be) recurses past the
// guard word; the kernel guard page at the bottom of the stack stops it with
// Go's stack-overflow report rather than letting it write into memory below.
NOSPLIT static int nosplitRecurse(int n);
static int nosplitRecurse(int n) {
  volatile char buf[1024];
  buf[0] = char(n);
  return nosplitRecurse(n + 1) + buf[0];
}
void StackOverflowNoSplit() {
  if (!runtime::guardPageActive()) {
    println("no guard pages");
    return;
  }
  println(std::to_string(nosplitRecurse(0)));
}

[[maybe_unused]] bool registered = [] {
  register_("GCStopTheWorldUser", GCStopTheWorldUser);
  register_("GCTrace", GCTrace);
  register_("StackOverflowNoSplit", StackOverflowNoSplit);
  register_("StackAllWaitReasons", StackAllWaitReasons);
  register_("SigquitDump", SigquitDump);
  register_("SchedTrace", SchedTrace);
  register_("SendOnClosedChan", SendOnClosedChan);
  register_("SendOnClosedChanGoroutine", SendOnClosedChanGoroutine);
  register_("CloseOfClosedChan", CloseOfClosedChan);
  register_("CloseOfNilChan", CloseOfNilChan);
  register_("MakechanSizeOutOfRange", MakechanSizeOutOfRange);
  register_("ForeignThreadChanRecv", ForeignThreadChanRecv);
  register_("ForeignThreadChanSend", ForeignThreadChanSend);
  return true;
}();

}  // namespace
}  // namespace testprog
