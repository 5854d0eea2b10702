// mgcsweep.hpp: the sweeper's state, mirroring mgcsweep.go at go1.22.12.
//
// After a mark, every in-use heap span is swept once per cycle: its mark
// bits become its allocation bits (the unmarked objects are free), its
// counts are fixed, and it goes back to its mcentral (or, wholly free, to
// the heap). A span's sweepgen against mheap_.sweepgen says where it stands
// (mheap.hpp: h-2 unswept, h-1 being swept, h swept, h+1 / h+3 cached).
//
// Invariant [sweep-once]: a span is swept by whoever wins the CAS of its
// sweepgen from h-2 to h-1 (sweepLocker.tryAcquire): the background
// sweeper, an allocating goroutine, or mark termination.
// Invariant [sweep-active]: sweep.active counts the sweepers at work; once
// the unswept sets are drained it carries sweepDrainedMask, and the sweep
// is done when no sweeper is left (isSweepDone).
//
// Locks: sweep.lock protects sweep.parked (the background sweeper's
// sleep); the span sets are lock-free (mspanset.hpp).
#pragma once
#include "mheap.hpp"
#include "runtime2.hpp"

namespace runtime {

struct hchan;

/// sweepClass: an index over every mcentral's two unswept sets (full and
/// partial per span class), the sweeper's cursor. \gosrc{mgcsweep.go,sweepClass}
struct sweepClass {
  uint32 v;
  sweepClass load();
  void update(sweepClass sNew);
  void clear();
  struct splitResult {
    spanClass spc;
    bool full;
  };
  splitResult split() const;
};
inline constexpr uint32 numSweepClasses = numSpanClasses * 2;
inline constexpr uint32 sweepClassDone = ~uint32(0);

/// sweepDrainedMask: set in activeSweep.state once nothing is left to
/// sweep. \gosrc{mgcsweep.go,sweepDrainedMask}
inline constexpr uint32 sweepDrainedMask = uint32(1) << 31;

/// sweepLocker: a sweeper's permission for one sweep generation.
/// \gosrc{mgcsweep.go,sweepLocker}
struct sweepLocked;
struct sweepLocker {
  uint32 sweepGen;
  bool valid;
  bool tryAcquire(mspan* s, sweepLocked* out);
};

/// sweepLocked: a span this sweeper owns until it is swept.
/// \gosrc{mgcsweep.go,sweepLocked}
struct sweepLocked {
  mspan* s;
  bool sweep(bool preserve);
};

/// activeSweep: the count of sweepers and the drained flag
/// ([sweep-active]). \gosrc{mgcsweep.go,activeSweep}
struct activeSweep {
  atomic::Uint32 state;
  sweepLocker begin();
  void end(sweepLocker sl);
  bool markDrained();
  uint32 sweepers();
  bool isDone();
  void reset();
};

/// sweepdata: the sweeper. \gosrc{mgcsweep.go,sweepdata}
struct sweepdata {
  mutex lock;
  g* g_;        // the background sweeper (Go: sweep.g)
  bool parked;  // it sleeps, waiting for gcSweep to wake it
  activeSweep active;
  sweepClass centralIndex;  // the next unswept span class
};
extern sweepdata sweep;

NOWRITEBARRIER void finishsweep_m();
void bgsweep(hchan* c);
void bgsweep_entry(funcval* fn);
/// bgsweepClosure: the closure of gcenable's `go bgsweep(c)`.
struct bgsweepClosure {
  funcval fn;
  hchan* c;
};
uintptr sweepone();
bool isSweepDone();
void deductSweepCredit(uintptr spanBytes, uintptr callerSweepPages);
void gcPaceSweeper(uint64 trigger);
void gcPaceSweeper(uint64 trigger);

}  // namespace runtime
