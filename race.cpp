// race.cpp: ThreadSanitizer support, mirroring race.go at go1.22.12, built
// only with -fsanitize=thread (race.hpp gives the empty versions otherwise,
// as race0.go does). race.hpp explains the model: goroutines are fibers and
// the runtime's own synchronization is what ThreadSanitizer sees.
//
// Invariant [race-fiber]: a g that has ever run has a fiber in g.racectx
// (kept when the g is reused from the free list, as its stack is), and each
// M's g0 holds its thread's own context; the fiber current on a thread is
// always getg()'s, because raceswitch runs in every stack switch.
#include "race.hpp"

#ifdef GORT_TSAN
#include <sanitizer/tsan_interface.h>

#include "stubs.hpp"

namespace runtime {

/// racegostart: the race context of newg, a goroutine being created by a go
/// statement at pc. Departure: Go makes a new context per goroutine; a fiber
/// is a ThreadSanitizer thread, of which a process may have only so many, so
/// a g reused from the free list keeps its fiber ([race-fiber]), renamed
/// here after the new goroutine (reports say "goroutine N" for it). A fiber
/// records no creation pc, so pc goes unused.
/// \gosrc{race.go,racegostart}
uintptr racegostart(uintptr pc, g* newg) {
  (void)pc;
  void* fiber = reinterpret_cast<void*>(newg->racectx);
  if (fiber == nullptr) fiber = __tsan_create_fiber(0);
  char name[32];
  int n = 0;
  char digits[24];
  int64 id = newg->goid;
  do digits[n++] = char('0' + id % 10); while ((id /= 10) != 0 && n < 20);
  const char prefix[] = "goroutine ";
  int k = 0;
  for (const char* c = prefix; *c; c++) name[k++] = *c;
  while (n > 0) name[k++] = digits[--n];
  name[k] = 0;
  __tsan_set_fiber_name(fiber, name);
  return reinterpret_cast<uintptr>(fiber);
}

/// raceinitm: g0 of the calling thread runs on the thread's own context.
/// Departure: Go's g0 has no race context (racectx = 0, proc.go mcommoninit).
void raceinitm(g* g0) { g0->racectx = reinterpret_cast<uintptr>(__tsan_get_current_fiber()); }

/// raceswitch: make to's fiber current; called on from's stack just before
/// the switch, as the fiber API asks. Departure: Go has no fiber switch.
void raceswitch(g* from, g* to) {
  if (from == to || to->racectx == 0) return;
  __tsan_switch_to_fiber(reinterpret_cast<void*>(to->racectx), 0);
}

/// raceacquire: the caller happens after every racerelease of addr.
/// \gosrc{race.go,raceacquire}
void raceacquire(void* addr) { __tsan_acquire(addr); }

/// racerelease: later raceacquires of addr happen after this point.
/// \gosrc{race.go,racerelease}
void racerelease(void* addr) { __tsan_release(addr); }

/// racereleasemerge: as racerelease (ThreadSanitizer's release already merges
/// into what earlier releases left). \gosrc{race.go,racereleasemerge}
void racereleasemerge(void* addr) { __tsan_release(addr); }

}  // namespace runtime
#endif  // GORT_TSAN
