// sync/rwmutex.cpp: sync.RWMutex, mirroring src/sync/rwmutex.go at go1.22.12.
//
// Invariants:
//   [rw-count]  readerCount = (readers holding or waiting for the lock)
//               - rwmutexMaxReaders if a writer holds or wants it. A reader
//               that sees a negative count after its increment sleeps on
//               readerSem; the writer's Unlock releases readerSem once per
//               such reader.
//   [rw-wait]   While a writer waits for readers to leave, readerWait counts
//               the readers that were inside when it announced itself; the
//               last of them to RUnlock releases writerSem.
//   [rw-w]      w serializes writers: only the holder of w touches the
//               rwmutexMaxReaders bias.
#include "rwmutex.hpp"

#include "runtime.hpp"

namespace gort::sync {

/// RLock. \gosrc{sync/rwmutex.go,RWMutex.RLock}
void RWMutex::RLock() {
  if (readerCount.Add(1) < 0) {
    // A writer is pending: wait for it [rw-count].
    runtime_SemacquireRWMutexR(&readerSem, false, 0);
  }
}

/// TryRLock. \gosrc{sync/rwmutex.go,RWMutex.TryRLock}
bool RWMutex::TryRLock() {
  for (;;) {
    int32_t c = readerCount.Load();
    if (c < 0) return false;
    if (readerCount.CompareAndSwap(c, c + 1)) return true;
  }
}

/// RUnlock: a read lock held by one goroutine may be released by another.
/// \gosrc{sync/rwmutex.go,RWMutex.RUnlock}
void RWMutex::RUnlock() {
  if (int32_t r = readerCount.Add(-1); r < 0) {
    // A writer is pending: kept out of line so RUnlock stays small.
    rUnlockSlow(r);
  }
}

/// rUnlockSlow: the read unlock when a writer is pending; the last reader
/// out wakes it [rw-wait]. \gosrc{sync/rwmutex.go,RWMutex.rUnlockSlow}
void RWMutex::rUnlockSlow(int32_t r) {
  if (r + 1 == 0 || r + 1 == -rwmutexMaxReaders) fatal("sync: RUnlock of unlocked RWMutex");
  if (readerWait.Add(-1) == 0) {
    runtime_Semrelease(&writerSem, false, 1);
  }
}

/// Lock: exclude other writers with w, then announce the writer by biasing
/// readerCount and wait for the readers already inside.
/// \gosrc{sync/rwmutex.go,RWMutex.Lock}
void RWMutex::Lock() {
  w.Lock();
  // r: the readers inside when the bias went on.
  int32_t r = readerCount.Add(-rwmutexMaxReaders) + rwmutexMaxReaders;
  if (r != 0 && readerWait.Add(r) != 0) {
    runtime_SemacquireRWMutex(&writerSem, false, 0);
  }
}

/// TryLock. \gosrc{sync/rwmutex.go,RWMutex.TryLock}
bool RWMutex::TryLock() {
  if (!w.TryLock()) return false;
  if (!readerCount.CompareAndSwap(0, -rwmutexMaxReaders)) {
    w.Unlock();
    return false;
  }
  return true;
}

/// Unlock: remove the bias, wake every reader that queued meanwhile, then
/// let the next writer in. \gosrc{sync/rwmutex.go,RWMutex.Unlock}
void RWMutex::Unlock() {
  int32_t r = readerCount.Add(rwmutexMaxReaders);
  if (r >= rwmutexMaxReaders) fatal("sync: Unlock of unlocked RWMutex");
  for (int32_t i = 0; i < r; i++) {
    runtime_Semrelease(&readerSem, false, 0);
  }
  w.Unlock();
}

/// syscall_hasWaitingReaders: whether readers wait behind a writer (Go
/// exports it to package syscall for its ForkLock).
/// \gosrc{sync/rwmutex.go,syscall_hasWaitingReaders}
bool syscall_hasWaitingReaders(RWMutex* rw) {
  int32_t r = rw->readerCount.Load();
  return r < 0 && r + RWMutex::rwmutexMaxReaders > 0;
}

/// RLocker: Go converts the RWMutex to its rlocker type, whose Lock and
/// Unlock are RLock and RUnlock; here the Locker holds those two directly.
/// \gosrc{sync/rwmutex.go,RWMutex.RLocker}
Locker RWMutex::RLocker() {
  return Locker(
      this, [](void* p) { static_cast<RWMutex*>(p)->RLock(); },
      [](void* p) { static_cast<RWMutex*>(p)->RUnlock(); });
}

}  // namespace gort::sync
