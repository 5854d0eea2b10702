// sync/rwmutex.hpp: sync.RWMutex (src/sync/rwmutex.go, go1.22.12).
#pragma once
#include <cstdint>

#include "mutex.hpp"

namespace gort::sync {

/// RWMutex: a reader/writer lock whose zero value is unlocked. Any number of
/// readers or one writer hold it. A Lock call waiting for readers to leave
/// stops new readers from entering, so a writer is never starved; for the
/// same reason a goroutine must not RLock recursively (a writer queued in
/// between deadlocks it). Copying is a compile error.
/// \gosrc{sync/rwmutex.go,RWMutex}
class RWMutex {
 public:
  constexpr RWMutex() = default;
  RWMutex(const RWMutex&) = delete;
  RWMutex& operator=(const RWMutex&) = delete;

  /// RLock: take a read lock; waits only while a writer holds or wants it.
  /// \gosrc{sync/rwmutex.go,RWMutex.RLock}
  void RLock();
  /// TryRLock: take a read lock if no writer holds or wants it.
  /// \gosrc{sync/rwmutex.go,RWMutex.TryRLock}
  bool TryRLock();
  /// RUnlock: drop one read lock. \gosrc{sync/rwmutex.go,RWMutex.RUnlock}
  void RUnlock();
  /// Lock: take the write lock. \gosrc{sync/rwmutex.go,RWMutex.Lock}
  void Lock();
  /// TryLock: take the write lock if free. \gosrc{sync/rwmutex.go,RWMutex.TryLock}
  bool TryLock();
  /// Unlock: drop the write lock and let the readers that queued behind it
  /// in. \gosrc{sync/rwmutex.go,RWMutex.Unlock}
  void Unlock();
  /// RLocker: a Locker whose Lock and Unlock are RLock and RUnlock.
  /// \gosrc{sync/rwmutex.go,RWMutex.RLocker}
  Locker RLocker();

  /// The most readers: readerCount minus this marks a writer pending.
  /// \gosrc{sync/rwmutex.go,rwmutexMaxReaders}
  static constexpr int32_t rwmutexMaxReaders = 1 << 30;

 private:
  void rUnlockSlow(int32_t r);
  friend bool syscall_hasWaitingReaders(RWMutex* rw);

  Mutex w;                      // held by the writer, and by a Lock waiting for readers
  uint32_t writerSem = 0;       // the writer sleeps here until the readers leave
  uint32_t readerSem = 0;       // readers sleep here until the writer leaves
  atomic::Int32 readerCount;    // readers holding or waiting; -rwmutexMaxReaders when a writer is pending
  atomic::Int32 readerWait;     // readers the pending writer still waits for
};

}  // namespace gort::sync
