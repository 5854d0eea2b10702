// sync/cond.hpp: sync.Cond (src/sync/cond.go, go1.22.12).
#pragma once
#include <cstdint>
#include <memory>

#include "mutex.hpp"
#include "runtime.hpp"

namespace gort::sync {

/// copyChecker: a word that holds its own address once used, so a Cond
/// copied byte-wise after first use (past the deleted copy constructor, as
/// reflect gets past Go's vet) is detected: the copy's word does not hold the
/// copy's address. \gosrc{sync/cond.go,copyChecker}
class copyChecker {
 public:
  void check();

 private:
  uintptr_t v_ = 0;
};

/// Cond: a condition variable, a place for goroutines to wait for an event.
/// L is held while the condition is checked or changed; Wait releases it
/// while asleep. Signal wakes one waiter, Broadcast all; neither needs L.
/// Each Wait sleeps on a ticket from the runtime's notifyList (sema.cpp), so
/// a Signal wakes the longest waiter. Must not be copied after first use.
/// \gosrc{sync/cond.go,Cond}
class Cond {
 public:
  constexpr Cond() = default;
  explicit Cond(Locker l) : L(l) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  /// Wait: unlock L, sleep until Signal or Broadcast, lock L again. Call it
  /// in a loop that re-checks the condition: a wake-up does not promise it.
  /// \gosrc{sync/cond.go,Cond.Wait}
  void Wait();
  /// Signal wakes one waiting goroutine, if any. \gosrc{sync/cond.go,Cond.Signal}
  void Signal();
  /// Broadcast wakes every waiting goroutine. \gosrc{sync/cond.go,Cond.Broadcast}
  void Broadcast();

  Locker L;  // held while observing or changing the condition

 private:
  notifyList notify{};
  copyChecker checker;
};

/// NewCond: a Cond on l, on the heap as Go's &Cond{L: l}.
/// \gosrc{sync/cond.go,NewCond}
inline std::unique_ptr<Cond> NewCond(Locker l) { return std::make_unique<Cond>(l); }

}  // namespace gort::sync
