// sync/once.cpp: sync.Once's slow path, mirroring src/sync/once.go at
// go1.22.12.
//
// Invariant [once-done]: done becomes 1 only after f has returned or
// panicked, and only while m is held; so a Do that sees done == 1 without m
// also sees f's effects, and Do's that find done == 0 serialize on m.
#include "once.hpp"

namespace gort::sync {

/// doSlow: under m, run f unless a previous holder of m already did. The
/// two destructors below are Go's two defers, in Go's order: done is
/// stored first and m unlocked last, whether f returns or panics.
/// \gosrc{sync/once.go,Once.doSlow}
void Once::doSlow(void (*call)(void*), void* f) {
  m.Lock();
  struct unlockM {
    Mutex& m;
    ~unlockM() { m.Unlock(); }
  } deferUnlock{m};
  if (done.Load() == 0) {
    struct storeDone {
      atomic::Uint32& done;
      ~storeDone() { done.Store(1); }  // [once-done]
    } deferStore{done};
    call(f);
  }
}

}  // namespace gort::sync
