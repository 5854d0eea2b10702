// mstats.hpp: the runtime's memory statistics, mirroring mstats.go at
// go1.22.12 — so far only what the page-level allocator writes: sysMemStat,
// the atomic counter of bytes a runtime structure took from the OS, and the
// sysMemStat fields of mstats. The heap statistics (consistentHeapStats,
// heapStatsDelta), ReadMemStats and the rest of mstats.go come with mheap.
//
// Invariant [sysstat]: every byte moved by sysAlloc, sysMap or sysFree
// (mem.cpp) is added to or taken from exactly one sysMemStat, so the sum of
// them is what the runtime has mapped from the OS.
//
// Locks: none. Every counter here is updated with one atomic add.
#pragma once
#include "internal/atomic/atomic.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "runtime2.hpp"

namespace runtime {

/// sysMemStat: a count of bytes of memory a runtime structure holds from the
/// OS, updated atomically. A plain uint64 underneath, as Go's must be (mstats
/// lines up with MemStats). \gosrc{mstats.go,sysMemStat}
struct sysMemStat {
  uint64 v;
  uint64 load();
  void add(int64 n);
};

/// mstats: the sysMemStat fields of Go's mstats, in Go's order. The fields
/// before and after them (heapStats, last_gc_unix) come with mheap.
/// \gosrc{mstats.go,mstats}
struct mstats {
  sysMemStat stacks_sys;    // stacks that are not goroutine stacks
  sysMemStat mspan_sys;     // fixalloc'd mspans
  sysMemStat mcache_sys;    // fixalloc'd mcaches
  sysMemStat buckhash_sys;  // the profiler's bucket table
  sysMemStat gcMiscSys;     // the collector's own metadata
  sysMemStat other_sys;     // everything else (persistentalloc, page allocator metadata)
};

/// memstats: the runtime's statistics. \gosrc{mstats.go,memstats}
inline mstats memstats;

/// load reads the stat. \gosrc{mstats.go,sysMemStat.load}
NOSPLIT_INLINE uint64 sysMemStat::load() { return atomic::Load(&v); }

/// add adds n (which may be negative) to the stat, and throws if the count
/// wraps below zero or past 2^63. \gosrc{mstats.go,sysMemStat.add}
NOSPLIT_INLINE void sysMemStat::add(int64 n) {
  uint64 val = atomic::Xadd(&v, n);
  if ((n > 0 && int64(val) < n) || (n < 0 && int64(val) + n < n)) {
    print("runtime: val=", val, " n=", n, "\n");
    throw_("sysMemStat overflow");
  }
}

/// gcControllerState: the pacer's state (mgcpacer.go). Departure: the pacer
/// comes with the collector, so this stand-in holds only the fields the
/// page-level allocator and its OS layer account to, with Go's names and
/// types. When mgcpacer.go is ported, its gcControllerState replaces this
/// one and gcController moves with it. \gosrc{mgcpacer.go,gcControllerState}
struct gcControllerState {
  sysMemStat heapInUse;      // bytes in in-use spans
  sysMemStat heapReleased;   // bytes of free heap returned to the OS (scavenged)
  sysMemStat heapFree;       // bytes of free heap not returned to the OS
  atomic::Uint64 mappedReady;  // bytes mapped in the Ready state (mem.go)
};

/// gcController: the pacer (mgcpacer.go). See gcControllerState.
/// \gosrc{mgcpacer.go,gcController}
inline gcControllerState gcController;

}  // namespace runtime
