// testprog/syncwait.cpp: sub-programs that Go's testprog does not have, for
// the wait reasons of goroutines asleep in package sync (sema.go's
// semacquire1 and notifyListWait park with them):
//   [semacquire]          WaitGroup.Wait (and the runtime's own semacquire)
//   [sync.Mutex.Lock]     Mutex.Lock
//   [sync.RWMutex.RLock]  RWMutex.RLock while a writer holds or waits
//   [sync.RWMutex.Lock]   RWMutex.Lock while readers drain
//   [sync.Cond.Wait]      Cond.Wait
// Each is seen two ways: in runtime.Stack(buf, true) while the program runs,
// and in the dump that follows "fatal error: all goroutines are asleep -
// deadlock!" when nothing else can run. The deadlock programs are the ones
// below written in Go and run with go1.22.12; crash_test.cpp expects the
// first lines that Go printed for them.
#include <memory>
#include <string>
#include <vector>

#include "go.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

const char* const syncReasons[] = {"[semacquire]:", "[sync.Mutex.Lock]:",
                                   "[sync.RWMutex.RLock]:", "[sync.RWMutex.Lock]:",
                                   "[sync.Cond.Wait]:"};

// One goroutine asleep in each sync wait reason, then runtime.Stack(buf,
// true) once the dump shows all of them parked (a go statement returns
// before its goroutine has run, and a Mutex waiter spins a little before it
// sleeps). The sync objects are never released: the goroutines stay asleep
// until the process ends, so the objects live on the heap and are shared
// with them.
void StackAllSyncWaitReasons() {
  struct objects {
    gort::sync::Mutex mu;
    gort::sync::RWMutex rw;   // write-locked: RLock waits
    gort::sync::RWMutex rw2;  // read-locked: Lock waits for the reader
    gort::sync::WaitGroup wg;
    gort::sync::Mutex cmu;
    gort::sync::Cond c{&cmu};
  };
  auto o = std::make_shared<objects>();
  o->mu.Lock();
  o->rw.Lock();
  o->rw2.RLock();
  o->wg.Add(1);
  gort::go([o] { o->mu.Lock(); });    // sync.Mutex.Lock
  gort::go([o] { o->rw.RLock(); });   // sync.RWMutex.RLock
  gort::go([o] { o->rw2.Lock(); });   // sync.RWMutex.Lock
  gort::go([o] { o->wg.Wait(); });    // semacquire
  gort::go([o] {                      // sync.Cond.Wait
    o->c.L.Lock();
    o->c.Wait();
  });
  std::vector<char> buf(1 << 20);
  for (int tries = 0; tries < 100000; tries++) {
    int n = runtime::Stack(buf, true);
    std::string dump(buf.data(), size_t(n));
    bool all = true;
    for (const char* r : syncReasons) all = all && dump.find(r) != std::string::npos;
    if (all) {
      println(dump);
      return;
    }
    runtime::Gosched();
  }
  println("goroutines never parked");
}

// The main goroutine waits on a WaitGroup that nobody will decrement.
// Go: fatal error: all goroutines are asleep - deadlock! / goroutine 1
// [semacquire]:, exit status 2.
void WaitGroupDeadlock() {
  gort::sync::WaitGroup wg;
  wg.Add(1);
  wg.Wait();
}

// The main goroutine locks a Mutex it already holds. Go: goroutine 1
// [sync.Mutex.Lock]:.
void MutexDeadlock() {
  gort::sync::Mutex mu;
  mu.Lock();
  mu.Lock();
}

// Read-lock under one's own write lock. Go: goroutine 1
// [sync.RWMutex.RLock]:.
void RWMutexRLockDeadlock() {
  gort::sync::RWMutex rw;
  rw.Lock();
  rw.RLock();
}

// Write-lock under one's own read lock. Go: goroutine 1
// [sync.RWMutex.Lock]:.
void RWMutexLockDeadlock() {
  gort::sync::RWMutex rw;
  rw.RLock();
  rw.Lock();
}

// Wait on a Cond that nobody signals. Go: goroutine 1 [sync.Cond.Wait]:.
void CondWaitDeadlock() {
  gort::sync::Mutex mu;
  gort::sync::Cond c(&mu);
  c.L.Lock();
  c.Wait();
}

// Two goroutines asleep in sync: main in WaitGroup.Wait, another on a Mutex
// it holds already. The deadlock's dump shows both (Go prints every
// goroutine when the fatal error is raised from the scheduler), each with
// its own reason.
void WaitGroupMutexDeadlock() {
  auto wg = std::make_shared<gort::sync::WaitGroup>();
  wg->Add(1);
  gort::go([wg] {
    gort::sync::Mutex mu;
    mu.Lock();
    mu.Lock();
    wg->Done();
  });
  wg->Wait();
}

[[maybe_unused]] bool registered = [] {
  register_("StackAllSyncWaitReasons", StackAllSyncWaitReasons);
  register_("WaitGroupDeadlock", WaitGroupDeadlock);
  register_("MutexDeadlock", MutexDeadlock);
  register_("RWMutexRLockDeadlock", RWMutexRLockDeadlock);
  register_("RWMutexLockDeadlock", RWMutexLockDeadlock);
  register_("CondWaitDeadlock", CondWaitDeadlock);
  register_("WaitGroupMutexDeadlock", WaitGroupMutexDeadlock);
  return true;
}();

}  // namespace
}  // namespace testprog
