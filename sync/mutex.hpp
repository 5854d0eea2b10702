// sync/mutex.hpp: sync.Mutex and sync.Locker (src/sync/mutex.go, go1.22.12).
//
// The fast paths (an uncontended Lock or Unlock is one locked instruction)
// are inline here, as Go's compiler inlines Mutex.Lock and Mutex.Unlock; the
// slow paths, lockSlow and unlockSlow, are in mutex.cpp.
#pragma once
#include <cstdint>

#include "../pragmas.hpp"
#include "atomic/type.hpp"

namespace gort::sync {

/// throw and fatal: sync's fatal errors, for broken internal state and for
/// misuse. Bodiless here, as in Go's mutex.go; the runtime's panic.go
/// defines them (sync_throw, sync_fatal) and the linker joins the two.
/// `throw` is a C++ keyword, hence throw_.
/// \gosrc{sync/mutex.go,throw}
[[noreturn]] void throw_(const char* s) GOSYMBOL("sync.throw");
/// \gosrc{sync/mutex.go,fatal}
[[noreturn]] void fatal(const char* s) GOSYMBOL("sync.fatal");

/// Locker: anything with Lock and Unlock (Go's interface). Made from a
/// pointer to such an object, as Go converts `&mu` to a Locker: it holds the
/// object's address and its two methods, which is what a Go interface value
/// holds (data word and itab). It owns nothing.
/// \gosrc{sync/mutex.go,Locker}
class Locker {
 public:
  /// The nil Locker: calling it is a nil dereference, as in Go.
  constexpr Locker() = default;
  template <class T>
  constexpr Locker(T* l)  // NOLINT: implicit, as Go's conversion to an interface
      : obj_(l), lock_([](void* p) { static_cast<T*>(p)->Lock(); }),
        unlock_([](void* p) { static_cast<T*>(p)->Unlock(); }) {}
  /// A Locker from an object and two functions (RWMutex.RLocker uses this).
  constexpr Locker(void* obj, void (*lock)(void*), void (*unlock)(void*))
      : obj_(obj), lock_(lock), unlock_(unlock) {}
  void Lock() const { lock_(obj_); }
  void Unlock() const { unlock_(obj_); }
  explicit operator bool() const { return obj_ != nullptr; }

 private:
  [[noreturn]] static void nilLocker(void*);
  void* obj_ = nullptr;
  void (*lock_)(void*) = nilLocker;
  void (*unlock_)(void*) = nilLocker;
};

/// Mutex: a mutual exclusion lock whose zero value is unlocked. Waiters
/// sleep on sema through the runtime (sema.cpp). Normal mode: a woken waiter
/// competes with newly arriving goroutines (which usually win: they are on
/// a CPU already). Starvation mode, entered when a waiter has waited over
/// 1 ms: Unlock hands the mutex straight to the first waiter, and arrivals
/// queue behind it; it ends when the waiter served was the last or waited
/// under 1 ms. Copying a Mutex is a compile error (Go's vet reports it).
/// \gosrc{sync/mutex.go,Mutex}
class Mutex {
 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  /// Lock: acquire, blocking if the mutex is held. \gosrc{sync/mutex.go,Mutex.Lock}
  void Lock() {
    // Fast path: unlocked and nobody waiting.
    if (atomic::CompareAndSwapInt32(&state, 0, mutexLocked)) return;
    lockSlow();
  }
  /// TryLock: acquire if that can be done now without waiting.
  /// \gosrc{sync/mutex.go,Mutex.TryLock}
  bool TryLock();
  /// Unlock: release; the mutex need not have been locked by this
  /// goroutine. Unlocking an unlocked Mutex is a fatal error.
  /// \gosrc{sync/mutex.go,Mutex.Unlock}
  void Unlock() {
    // Fast path: clear the locked bit; anything left means waiters.
    int32_t nw = atomic::AddInt32(&state, -mutexLocked);
    if (nw != 0) unlockSlow(nw);
  }

  /// The state word's bits (Go's constants of the same names).
  enum : int32_t {
    mutexLocked = 1 << 0,    // held
    mutexWoken = 1 << 1,     // a waiter is awake and competing: Unlock need wake none
    mutexStarving = 1 << 2,  // in starvation mode
    mutexWaiterShift = 3,    // the waiter count starts at this bit
  };
  /// A waiter that waited longer than this switches the mutex to starvation
  /// mode. \gosrc{sync/mutex.go,starvationThresholdNs}
  static constexpr int64_t starvationThresholdNs = 1000000;

 private:
  void lockSlow();
  void unlockSlow(int32_t nw);

  int32_t state = 0;  // mutexLocked | mutexWoken | mutexStarving | waiters<<mutexWaiterShift
  uint32_t sema = 0;  // the runtime semaphore waiters sleep on
};
static_assert(sizeof(Mutex) == 8, "Go's Mutex is two 32-bit words");

}  // namespace gort::sync
