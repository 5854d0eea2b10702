// sync/once.hpp: sync.Once (src/sync/once.go, go1.22.12).
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

#include "atomic/type.hpp"
#include "mutex.hpp"

namespace gort::sync {

/// Once performs exactly one action. The first Do runs f; every other Do,
/// concurrent or later, returns only after that f has returned, and does
/// not run its own f. If f panics, Do counts it as done all the same. A
/// Do that calls Do on the same Once deadlocks. Copying is a compile error.
/// \gosrc{sync/once.go,Once}
class Once {
 public:
  constexpr Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  /// Do: the fast path (done already) is one load, inline, as Go's compiler
  /// inlines Once.Do; the rest is doSlow. \gosrc{sync/once.go,Once.Do}
  template <class F>
  void Do(F&& f) {
    // done is set only after f returns, so that a concurrent Do that sees
    // it set also sees every effect of f. A CAS that set done before
    // calling f would let the losers return too early.
    if (done.Load() == 0) {
      doSlow([](void* fp) { (*static_cast<std::remove_reference_t<F>*>(fp))(); },
             const_cast<void*>(static_cast<const void*>(&f)));
    }
  }

 private:
  /// doSlow: f is passed as a function and its closure (Go: a func value).
  void doSlow(void (*call)(void*), void* f);

  // done first: the hot path loads it, and as the struct's first word its
  // address needs no offset (Go makes the same choice for the same reason).
  atomic::Uint32 done;
  Mutex m;
};

}  // namespace gort::sync
