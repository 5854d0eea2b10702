// lockrank_off.hpp: the lock-rank checks as they are in a normal build,
// mirroring lockrank_off.go at go1.22.12: with GOEXPERIMENT=staticlockranking
// off, Go compiles every check to nothing, and so does the port. Only the
// checks the ported code calls are here; the rank machinery itself
// (lockrank.go, lockrank_on.go) is a debugging build the port does not offer.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// assertLockHeld: with lock ranking, throws unless l is held; here nothing.
/// \gosrc{lockrank_off.go,assertLockHeld}
NOSPLIT_INLINE void assertLockHeld(mutex* l) { (void)l; }

/// assertWorldStopped: with lock ranking, throws unless the world is
/// stopped; here nothing. \gosrc{lockrank_off.go,assertWorldStopped}
NOSPLIT_INLINE void assertWorldStopped() {}

/// assertWorldStoppedOrLockHeld: with lock ranking, throws unless the world
/// is stopped or l is held; here nothing.
/// \gosrc{lockrank_off.go,assertWorldStoppedOrLockHeld}
NOSPLIT_INLINE void assertWorldStoppedOrLockHeld(mutex* l) { (void)l; }

}  // namespace runtime
