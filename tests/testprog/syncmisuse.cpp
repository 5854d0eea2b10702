// testprog/syncmisuse.cpp: the misuse programs of go1.22.12
// sync/mutex_test.go (misuseTests and the init that runs one of them), for
// TestMutexMisuse in tests/sync/mutex_test.cpp.
//
// Go's sync test re-executes its own test binary as `<binary> TESTMISUSE
// <name>`; its init finds the case, runs it under a deferred recover, prints
// "test completed" and exits 0. Unlocking a lock that is not held is a fatal
// error (sync.fatal), which no recover can stop, so a correct runtime never
// reaches that print: the process ends with "fatal error: ..." and status 2.
// Here each case is a testprog sub-program named "TESTMISUSE/<name>", and the
// recover is a catch of runtime::PanicError (as in testprog/deadlock.cpp).
#include "runtime.hpp"
#include "sync/sync.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

using gort::sync::Mutex;
using gort::sync::RWMutex;

// mutex_test.go:172 at go1.22.12 (the init's body for the case found):
// run f, recovering any panic, then report that the process survived.
void runMisuse(void (*f)()) {
  try {
    f();
  } catch (const runtime::PanicError&) {
    // recover()
  }
  fmtPrintln("test completed");
  osExit(0);
}

// mutex_test.go:102 at go1.22.12 (misuseTests), one function per case.
// Each lock is a local, as in Go (`var mu Mutex`).

void MutexUnlock() {
  Mutex mu;
  mu.Unlock();
}

void MutexUnlock2() {
  Mutex mu;
  mu.Lock();
  mu.Unlock();
  mu.Unlock();
}

void RWMutexUnlock() {
  RWMutex mu;
  mu.Unlock();
}

void RWMutexUnlock2() {
  RWMutex mu;
  mu.RLock();
  mu.Unlock();
}

void RWMutexUnlock3() {
  RWMutex mu;
  mu.Lock();
  mu.Unlock();
  mu.Unlock();
}

void RWMutexRUnlock() {
  RWMutex mu;
  mu.RUnlock();
}

void RWMutexRUnlock2() {
  RWMutex mu;
  mu.Lock();
  mu.RUnlock();
}

void RWMutexRUnlock3() {
  RWMutex mu;
  mu.RLock();
  mu.RUnlock();
  mu.RUnlock();
}

[[maybe_unused]] bool registered = [] {
  register_("TESTMISUSE/Mutex.Unlock", [] { runMisuse(MutexUnlock); });
  register_("TESTMISUSE/Mutex.Unlock2", [] { runMisuse(MutexUnlock2); });
  register_("TESTMISUSE/RWMutex.Unlock", [] { runMisuse(RWMutexUnlock); });
  register_("TESTMISUSE/RWMutex.Unlock2", [] { runMisuse(RWMutexUnlock2); });
  register_("TESTMISUSE/RWMutex.Unlock3", [] { runMisuse(RWMutexUnlock3); });
  register_("TESTMISUSE/RWMutex.RUnlock", [] { runMisuse(RWMutexRUnlock); });
  register_("TESTMISUSE/RWMutex.RUnlock2", [] { runMisuse(RWMutexRUnlock2); });
  register_("TESTMISUSE/RWMutex.RUnlock3", [] { runMisuse(RWMutexRUnlock3); });
  return true;
}();

}  // namespace
}  // namespace testprog
