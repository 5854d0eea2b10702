// internal/poll/fd_mutex.cpp: fdMutex's methods, mirroring
// src/internal/poll/fd_mutex.go at go1.22.12 (the layout of the state word
// and the invariants [fdmu-*] are in fd_mutex.hpp).
//
// Every method is a load, a new value worked out from it, and a CAS that
// publishes it or, having lost a race, starts over. Go's panics here
// (overflowMsg, "inconsistent poll.fdMutex") are gort::panic, so that a
// deferred recover (a catch of runtime::PanicError) sees them as Go's does.
//
// Departure: Go uses sync/atomic's LoadUint64 and CompareAndSwapUint64 on
// the plain uint64 state. The port's sync/atomic (sync/atomic/type.hpp) has
// only the 32-bit and uintptr functions package sync needs, so the two are
// written below with the same builtins and the same sequentially consistent
// order, under Go's names.
#include "fd_mutex.hpp"

#include "fd.hpp"

#include "../../go.hpp"

namespace gort::poll {

namespace {
namespace atomic {
/// LoadUint64 reads *addr. \gosrc{sync/atomic/doc.go,LoadUint64}
[[gnu::always_inline]] inline uint64_t LoadUint64(const uint64_t* addr) {
  return __atomic_load_n(addr, __ATOMIC_SEQ_CST);
}
/// CompareAndSwapUint64: if *addr == old, store nw and report true.
/// \gosrc{sync/atomic/doc.go,CompareAndSwapUint64}
[[gnu::always_inline]] inline bool CompareAndSwapUint64(uint64_t* addr, uint64_t old, uint64_t nw) {
  return __atomic_compare_exchange_n(addr, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
}  // namespace atomic
}  // namespace

/// incref takes one reference, for a use that needs neither lock. False if
/// the mutex is closed (the caller must not touch the descriptor).
/// \gosrc{internal/poll/fd_mutex.go,fdMutex.incref}
bool fdMutex::incref() {
  for (;;) {
    uint64_t old = atomic::LoadUint64(&state);
    if ((old & mutexClosed) != 0) return false;
    uint64_t nw = old + mutexRef;
    // A carry out of the reference field left it zero [fdmu-count].
    if ((nw & mutexRefMask) == 0) panic(overflowMsg);
    if (atomic::CompareAndSwapUint64(&state, old, nw)) return true;
  }
}

/// increfAndClose marks the mutex closed and takes a reference for the
/// closer; every sleeping reader and writer is woken to find it closed
/// [fdmu-close]. False if it was closed already.
/// \gosrc{internal/poll/fd_mutex.go,fdMutex.increfAndClose}
bool fdMutex::increfAndClose() {
  for (;;) {
    uint64_t old = atomic::LoadUint64(&state);
    if ((old & mutexClosed) != 0) return false;
    // Set the flag and count the closer's reference.
    uint64_t nw = (old | mutexClosed) + mutexRef;
    if ((nw & mutexRefMask) == 0) panic(overflowMsg);
    // The waiters leave the count in this same CAS [fdmu-wait].
    nw &= ~(mutexRMask | mutexWMask);
    if (atomic::CompareAndSwapUint64(&state, old, nw)) {
      // One release per waiter that old counted; each wakes, retries, and
      // returns false on the closed flag.
      while ((old & mutexRMask) != 0) {
        old -= mutexRWait;
        runtime_Semrelease(&rsema);
      }
      while ((old & mutexWMask) != 0) {
        old -= mutexWWait;
        runtime_Semrelease(&wsema);
      }
      return true;
    }
  }
}

/// decref drops one reference. True when that was the last reference of a
/// closed mutex [fdmu-last]. Dropping a reference nobody holds panics.
/// \gosrc{internal/poll/fd_mutex.go,fdMutex.decref}
bool fdMutex::decref() {
  for (;;) {
    uint64_t old = atomic::LoadUint64(&state);
    if ((old & mutexRefMask) == 0) panic("inconsistent poll.fdMutex");
    uint64_t nw = old - mutexRef;
    if (atomic::CompareAndSwapUint64(&state, old, nw))
      return (nw & (mutexClosed | mutexRefMask)) == mutexClosed;
  }
}

namespace {
/// rwFields: the lock bit, wait unit, wait mask and semaphore of the read
/// side or the write side of an fdMutex.
struct rwFields {
  uint64_t mutexBit, mutexWait, mutexMask;
  uint32_t* mutexSema;
};
}  // namespace

/// rwfields: mu's read side (read) or write side, as rwlock and rwunlock
/// each pick it at their start.
///
/// Departure: Go's rwlock and rwunlock open with the same ten-line choice of
/// these four values; here both call this one function and bind its result
/// to Go's four names.
static rwFields rwfields(fdMutex* mu, bool read) {
  if (read) return {mutexRLock, mutexRWait, mutexRMask, &mu->rsema};
  return {mutexWLock, mutexWWait, mutexWMask, &mu->wsema};
}

/// rwlock takes the read lock (read) or the write lock, with a reference,
/// sleeping on rsema or wsema while another goroutine holds it. False if the
/// mutex is closed, before or while waiting.
/// \gosrc{internal/poll/fd_mutex.go,fdMutex.rwlock}
bool fdMutex::rwlock(bool read) {
  auto [mutexBit, mutexWait, mutexMask, mutexSema] = rwfields(this, read);
  for (;;) {
    uint64_t old = atomic::LoadUint64(&state);
    if ((old & mutexClosed) != 0) return false;
    uint64_t nw;
    if ((old & mutexBit) == 0) {
      // Free: take the lock and a reference together.
      nw = (old | mutexBit) + mutexRef;
      if ((nw & mutexRefMask) == 0) panic(overflowMsg);
    } else {
      // Held: count ourselves a waiter [fdmu-wait].
      nw = old + mutexWait;
      if ((nw & mutexMask) == 0) panic(overflowMsg);
    }
    if (atomic::CompareAndSwapUint64(&state, old, nw)) {
      if ((old & mutexBit) == 0) return true;
      runtime_Semacquire(mutexSema);
      // Whoever woke us has already taken us off the wait count; go round.
    }
  }
}

/// rwunlock releases the read lock (read) or the write lock and its
/// reference, and wakes one waiter for that lock if there is one. True when
/// that was the last reference of a closed mutex [fdmu-last]. Unlocking a
/// lock that is not held panics.
/// \gosrc{internal/poll/fd_mutex.go,fdMutex.rwunlock}
bool fdMutex::rwunlock(bool read) {
  auto [mutexBit, mutexWait, mutexMask, mutexSema] = rwfields(this, read);
  for (;;) {
    uint64_t old = atomic::LoadUint64(&state);
    if ((old & mutexBit) == 0 || (old & mutexRefMask) == 0) panic("inconsistent poll.fdMutex");
    // Clear the lock bit, drop the reference, and take one waiter off the
    // count if there is one [fdmu-wait].
    uint64_t nw = (old & ~mutexBit) - mutexRef;
    if ((old & mutexMask) != 0) nw -= mutexWait;
    if (atomic::CompareAndSwapUint64(&state, old, nw)) {
      if ((old & mutexMask) != 0) runtime_Semrelease(mutexSema);
      return (nw & (mutexClosed | mutexRefMask)) == mutexClosed;
    }
  }
}

// --- FD's methods over fdmu ----------------------------------------------------

/// incref adds a reference for an operation that is neither a read nor a
/// write (a deadline, a shutdown); the closing error once the FD is closed.
/// \gosrc{internal/poll/fd_mutex.go,FD.incref}
error FD::incref() {
  if (!fdmu.incref()) return errClosing(isFile);
  return nullptr;
}

/// decref drops a reference; the last one of a closed FD closes the
/// descriptor [fdmu-last]. \gosrc{internal/poll/fd_mutex.go,FD.decref}
error FD::decref() {
  if (fdmu.decref()) return destroy();
  return nullptr;
}

/// readLock takes the read lock (and a reference) for a Read or Accept.
/// \gosrc{internal/poll/fd_mutex.go,FD.readLock}
error FD::readLock() {
  if (!fdmu.rwlock(true)) return errClosing(isFile);
  return nullptr;
}

/// readUnlock releases it; the last reference of a closed FD destroys.
/// \gosrc{internal/poll/fd_mutex.go,FD.readUnlock}
void FD::readUnlock() {
  if (fdmu.rwunlock(true)) destroy();
}

/// writeLock takes the write lock (and a reference) for a Write.
/// \gosrc{internal/poll/fd_mutex.go,FD.writeLock}
error FD::writeLock() {
  if (!fdmu.rwlock(false)) return errClosing(isFile);
  return nullptr;
}

/// writeUnlock releases it. \gosrc{internal/poll/fd_mutex.go,FD.writeUnlock}
void FD::writeUnlock() {
  if (fdmu.rwunlock(false)) destroy();
}

}  // namespace gort::poll
