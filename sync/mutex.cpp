// sync/mutex.cpp: sync.Mutex's slow paths, mirroring src/sync/mutex.go at
// go1.22.12.
//
// State word (Mutex::state): bit 0 mutexLocked, bit 1 mutexWoken, bit 2
// mutexStarving, and from bit 3 up the number of goroutines asleep or about
// to sleep on sema.
//
// Invariants:
//   [mutex-woken]   At most one goroutine at a time is a woken waiter
//                   (awoke == true); it owns mutexWoken and clears it when
//                   it either takes the lock or goes back to sleep. Unlock
//                   wakes no one while mutexWoken is set.
//   [mutex-starve]  In starvation mode mutexLocked may be clear while the
//                   mutex is in fact owned: Unlock has handed it to the
//                   first waiter (runtime_Semrelease with handoff), which
//                   sets mutexLocked itself when it wakes. Nobody else may
//                   take it or spin on it meanwhile.
//
// Departure: Go reads m.state with plain loads while other goroutines CAS
// it. In C++ that is a data race, so those reads are relaxed atomic loads
// (atomic::detail::racyLoad), which compile to the same single mov on amd64.
#include "mutex.hpp"

#include "../runtime.hpp"
#include "runtime.hpp"

namespace gort::sync {

using atomic::detail::racyLoad;

/// nilLocker: a method call through a nil Locker. Go faults on the nil
/// interface and panics with a runtime error; this panics with the same one.
void Locker::nilLocker(void*) {
  throw runtime::PanicError("runtime error: invalid memory address or nil pointer dereference", true);
}

/// TryLock: take the mutex if it is free and not promised to a starving
/// waiter. Rarely the right tool: it usually hides a design problem.
/// \gosrc{sync/mutex.go,Mutex.TryLock}
bool Mutex::TryLock() {
  int32_t old = racyLoad(&state);
  if ((old & (mutexLocked | mutexStarving)) != 0) return false;

  // Another goroutine may be racing for it; do not spin, just fail.
  if (!atomic::CompareAndSwapInt32(&state, old, old | mutexLocked)) return false;
  return true;
}

/// lockSlow: Lock when the first CAS failed. Spin while the holder runs
/// (normal mode only), else count ourselves a waiter and sleep on sema; a
/// waiter that slept more than 1 ms sets starvation mode.
/// \gosrc{sync/mutex.go,Mutex.lockSlow}
void Mutex::lockSlow() {
  int64_t waitStartTime = 0;
  bool starving = false;
  bool awoke = false;
  int iter = 0;
  int32_t old = racyLoad(&state);
  for (;;) {
    // Spin only while the mutex is held in normal mode: in starvation mode
    // it belongs to the first waiter, so spinning cannot win it.
    if ((old & (mutexLocked | mutexStarving)) == mutexLocked && runtime_canSpin(iter)) {
      // Set mutexWoken, so that Unlock wakes nobody while we spin for it.
      if (!awoke && (old & mutexWoken) == 0 && (old >> mutexWaiterShift) != 0 &&
          atomic::CompareAndSwapInt32(&state, old, old | mutexWoken)) {
        awoke = true;
      }
      runtime_doSpin();
      iter++;
      old = racyLoad(&state);
      continue;
    }
    int32_t nw = old;
    // Starving: the mutex is the first waiter's, do not try to take it.
    if ((old & mutexStarving) == 0) nw |= mutexLocked;
    if ((old & (mutexLocked | mutexStarving)) != 0) nw += 1 << mutexWaiterShift;
    // Switch to starvation mode, but only while the mutex is held: if it was
    // unlocked meanwhile, the Unlock expects waiters in the queue and a
    // starving free mutex would mean no one can take it [mutex-starve].
    if (starving && (old & mutexLocked) != 0) nw |= mutexStarving;
    if (awoke) {
      // We were woken (or set the flag while spinning); give it up either
      // way [mutex-woken].
      if ((nw & mutexWoken) == 0) throw_("sync: inconsistent mutex state");
      nw &= ~mutexWoken;
    }
    if (atomic::CompareAndSwapInt32(&state, old, nw)) {
      if ((old & (mutexLocked | mutexStarving)) == 0) break;  // the CAS took the lock
      // A waiter that slept before goes to the front of the queue.
      bool queueLifo = waitStartTime != 0;
      if (waitStartTime == 0) waitStartTime = runtime_nanotime();
      runtime_SemacquireMutex(&sema, queueLifo, 1);
      starving = starving || runtime_nanotime() - waitStartTime > starvationThresholdNs;
      old = racyLoad(&state);
      if ((old & mutexStarving) != 0) {
        // Starvation mode: Unlock handed the mutex to us, but mutexLocked is
        // clear and we are still counted as a waiter; fix both at once
        // [mutex-starve].
        if ((old & (mutexLocked | mutexWoken)) != 0 || (old >> mutexWaiterShift) == 0)
          throw_("sync: inconsistent mutex state");
        int32_t delta = int32_t(mutexLocked - (1 << mutexWaiterShift));
        if (!starving || (old >> mutexWaiterShift) == 1) {
          // Leave starvation mode: we did not wait long, or nobody is left.
          // Staying in it would force hand-offs one by one even once the
          // contention has gone.
          delta -= mutexStarving;
        }
        atomic::AddInt32(&state, delta);
        break;
      }
      awoke = true;
      iter = 0;
    } else {
      old = racyLoad(&state);
    }
  }
}

/// unlockSlow: Unlock found waiters or flags in the state. Normal mode: wake
/// one waiter unless someone is already awake or the mutex was taken again.
/// Starvation mode: hand the mutex and our time slice to the first waiter.
/// \gosrc{sync/mutex.go,Mutex.unlockSlow}
void Mutex::unlockSlow(int32_t nw) {
  if (((nw + mutexLocked) & mutexLocked) == 0) fatal("sync: unlock of unlocked mutex");
  if ((nw & mutexStarving) == 0) {
    int32_t old = nw;
    for (;;) {
      // Nobody to wake, or a goroutine already took the lock, or one is
      // awake [mutex-woken], or starvation started: nothing to do. (In
      // starvation mode, the unlocker will hand off.)
      if ((old >> mutexWaiterShift) == 0 || (old & (mutexLocked | mutexWoken | mutexStarving)) != 0)
        return;
      // Take one waiter off the count and wake it, as the woken one.
      nw = (old - (1 << mutexWaiterShift)) | mutexWoken;
      if (atomic::CompareAndSwapInt32(&state, old, nw)) {
        runtime_Semrelease(&sema, false, 1);
        return;
      }
      old = racyLoad(&state);
    }
  } else {
    // Starvation: the first waiter gets the mutex and runs at once. It finds
    // mutexLocked clear and sets it; meanwhile, with mutexStarving set,
    // arrivals do not take the mutex.
    runtime_Semrelease(&sema, true, 1);
  }
}

}  // namespace gort::sync
