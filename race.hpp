// race.hpp: ThreadSanitizer support, mirroring race.go and race0.go at
// go1.22.12. Go's race detector is ThreadSanitizer's run time driven by the
// Go compiler: each goroutine gets a race context (racegostart), and the
// runtime, which is not instrumented itself, tells the detector where
// goroutines synchronize (raceacquire/racerelease in chan.go, sema's users
// in package sync). gort differs in what is instrumented: the runtime is C++
// built with -fsanitize=thread like the user's code, so ThreadSanitizer sees
// the runtime's own locks and atomics, and every happens-before edge it
// infers is one the C++ program really has. That settles three choices:
//
//   - Each goroutine is a ThreadSanitizer fiber (g.racectx, made by
//     racegostart), each M's g0 is its thread's own context (raceinitm),
//     and every stack switch in asm_amd64.S switches fibers too (raceswitch,
//     called through stack.cpp's fiberLeave). Switches synchronize (no
//     __tsan_switch_to_fiber_no_sync): code that runs after other code on
//     the same thread really does happen after it.
//   - Go's racerelease/raceacquire calls in chan.go have no counterpart in
//     chan.cpp: the channel lock and the acquire/release atomics of the
//     lock-free paths are the edges, and ThreadSanitizer sees them.
//   - Go's deliberately unsynchronized reads (a field read without its lock
//     to decide whether taking the lock is worth it) are data races in C++;
//     the port spells each one as a relaxed atomic load (atomic::LoadRelaxed)
//     paired with relaxed stores, so ThreadSanitizer judges all the rest.
//
// Limit (Departure): since a switch synchronizes, two goroutines that run
// one after the other on the same M are ordered, and a race between them is
// not reported; Go's detector, which does not instrument the scheduler,
// reports it. Races between goroutines running at the same time on
// different Ms are reported (tests/race_test.cpp). The runtime's own files
// are built without function entry/exit events (the scheduler abandons g0's
// frames at every gogo, which would overflow the fiber's shadow call stack),
// so a report inside the runtime names the accessing instruction and the
// user frames that led there, not the runtime frames between.
#pragma once
#include "runtime2.hpp"

#if defined(__SANITIZE_THREAD__)
#define GORT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORT_TSAN 1
#endif
#endif

namespace runtime {

#ifdef GORT_TSAN
/// raceenabled: the program is built with ThreadSanitizer. \gosrc{race0.go,raceenabled}
inline constexpr bool raceenabled = true;
NOSPLIT uintptr racegostart(uintptr pc, g* newg);
void raceinitm(g* g0);
NOSPLIT __attribute__((no_sanitize_thread)) void raceswitch(g* from, g* to);
NOSPLIT void raceacquire(void* addr);
NOSPLIT void racerelease(void* addr);
NOSPLIT void racereleasemerge(void* addr);
#else
inline constexpr bool raceenabled = false;
NOSPLIT_INLINE uintptr racegostart(uintptr, g*) { return 0; }
inline void raceinitm(g*) {}
inline void raceswitch(g*, g*) {}
NOSPLIT_INLINE void raceacquire(void*) {}
NOSPLIT_INLINE void racerelease(void*) {}
NOSPLIT_INLINE void racereleasemerge(void*) {}
#endif

}  // namespace runtime
