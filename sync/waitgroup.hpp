// sync/waitgroup.hpp: sync.WaitGroup (src/sync/waitgroup.go, go1.22.12).
#pragma once
#include <cstdint>

#include "atomic/type.hpp"

namespace gort::sync {

/// WaitGroup: waits for a collection of goroutines to finish. The main
/// goroutine Adds the number to wait for, each one calls Done when it ends,
/// and Wait blocks until all have. Adds that start from zero must happen
/// before the Wait; a WaitGroup may be reused only after every Wait of the
/// previous round has returned. Copying is a compile error.
/// \gosrc{sync/waitgroup.go,WaitGroup}
class WaitGroup {
 public:
  constexpr WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  /// Add adds delta (which may be negative) to the counter; at zero, every
  /// waiter is released. Below zero it panics.
  /// \gosrc{sync/waitgroup.go,WaitGroup.Add}
  void Add(int delta);
  /// Done: Add(-1). \gosrc{sync/waitgroup.go,WaitGroup.Done}
  void Done() { Add(-1); }
  /// Wait blocks until the counter is zero. \gosrc{sync/waitgroup.go,WaitGroup.Wait}
  ///
  /// Departure: the first test of Go's loop (counter already zero: return)
  /// is inline here and the rest is waitSlow, as Mutex.Lock's fast path is
  /// inline; Go's compiler does not inline WaitGroup.Wait, but a Go call
  /// costs less than a C++ one, which saves callee-saved registers.
  void Wait() {
    if (int32_t(state.Load() >> 32) == 0) return;  // nothing to wait for
    waitSlow();
  }

 private:
  void waitSlow();

  atomic::Uint64 state;  // high 32 bits: the counter; low 32 bits: waiters
  uint32_t sema = 0;     // waiters sleep here
};

}  // namespace gort::sync
