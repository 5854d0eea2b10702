// sync/waitgroup.cpp: sync.WaitGroup, mirroring src/sync/waitgroup.go at
// go1.22.12.
//
// Invariants:
//   [wg-state]  state packs the counter (high 32 bits, signed) and the
//               number of waiters (low 32 bits) so both change in one
//               atomic operation.
//   [wg-zero]   Waiters are only added while the counter is positive, and
//               once the counter reaches 0 with waiters present, nothing may
//               change state until Add has reset it to 0 and released every
//               waiter: a concurrent Add or Wait then is misuse, detected on
//               a best-effort basis and reported with Go's panics.
#include "waitgroup.hpp"

#include "../go.hpp"
#include "runtime.hpp"

namespace gort::sync {

/// Add. \gosrc{sync/waitgroup.go,WaitGroup.Add}
void WaitGroup::Add(int delta) {
  uint64_t st = state.Add(uint64_t(int64_t(delta)) << 32);
  int32_t v = int32_t(st >> 32);  // counter
  uint32_t w = uint32_t(st);      // waiters
  if (v < 0) panic("sync: negative WaitGroup counter");
  if (w != 0 && delta > 0 && v == int32_t(delta)) {
    // The first Add of a round raced with a Wait [wg-zero].
    panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  }
  if (v > 0 || w == 0) return;
  // Counter 0 with waiters: no Add or Wait may run now [wg-zero]; a cheap
  // check that none did, then reset and release the waiters.
  if (state.Load() != st) panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  state.Store(0);
  for (; w != 0; w--) {
    runtime_Semrelease(&sema, false, 0);
  }
}

/// waitSlow: Go's Wait loop, entered when the inline test in Wait found the
/// counter non-zero. \gosrc{sync/waitgroup.go,WaitGroup.Wait}
void WaitGroup::waitSlow() {
  for (;;) {
    uint64_t st = state.Load();
    int32_t v = int32_t(st >> 32);
    if (v == 0) return;  // nothing to wait for
    // Count ourselves a waiter, then sleep.
    if (state.CompareAndSwap(st, st + 1)) {
      runtime_Semacquire(&sema);
      // Add reset state to 0 before releasing us; anything else means the
      // next round started before this Wait returned [wg-zero].
      if (state.Load() != 0) panic("sync: WaitGroup is reused before previous Wait has returned");
      return;
    }
  }
}

}  // namespace gort::sync
