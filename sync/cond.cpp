// sync/cond.cpp: sync.Cond, mirroring src/sync/cond.go at go1.22.12.
//
// Invariant [cond-ticket]: a waiter takes its ticket (notifyListAdd) while
// it still holds L, before it unlocks; a Signal or Broadcast after that
// point covers the ticket even if it comes before the waiter sleeps, so no
// wake-up is lost between Unlock and notifyListWait.
#include "cond.hpp"

#include "../go.hpp"

namespace gort::sync {

namespace {
/// Go's sync init: check once that sync's notifyList is the runtime's size.
/// Departure: a static initializer, run before main, where Go has init().
[[maybe_unused]] const bool notifyListChecked = (runtime_notifyListCheck(sizeof(notifyList)), true);
}  // namespace

/// Wait. \gosrc{sync/cond.go,Cond.Wait}
void Cond::Wait() {
  checker.check();
  uint32_t t = runtime_notifyListAdd(&notify);  // [cond-ticket]
  L.Unlock();
  runtime_notifyListWait(&notify, t);
  L.Lock();
}

/// Signal. \gosrc{sync/cond.go,Cond.Signal}
void Cond::Signal() {
  checker.check();
  runtime_notifyListNotifyOne(&notify);
}

/// Broadcast. \gosrc{sync/cond.go,Cond.Broadcast}
void Cond::Broadcast() {
  checker.check();
  runtime_notifyListNotifyAll(&notify);
}

/// check: the first use stores the checker's address; a copy made after
/// that carries the original's address and panics. The CAS settles a race
/// between two first uses. \gosrc{sync/cond.go,copyChecker.check}
void copyChecker::check() {
  uintptr_t self = reinterpret_cast<uintptr_t>(this);
  if (atomic::detail::racyLoad(&v_) != self && !atomic::CompareAndSwapUintptr(&v_, 0, self) &&
      atomic::detail::racyLoad(&v_) != self) {
    panic("sync.Cond is copied");
  }
}

}  // namespace gort::sync
