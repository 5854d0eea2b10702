// mstats.hpp: the runtime's memory statistics, mirroring mstats.go at
// go1.22.12 (functions in mstats.cpp; the user's view, MemStats and
// ReadMemStats, is declared in runtime.hpp). Three kinds of counter:
//
//   sysMemStat          bytes a runtime structure holds from the OS, one
//                       atomic add per change ([sysstat]);
//   consistentHeapStats the heap's counters that must be read together
//                       (bytes committed, released, in the heap, in stacks;
//                       allocations by size class): writers add to a
//                       per-generation delta between acquire and release,
//                       and a reader (ReadMemStats, with the world stopped)
//                       sums the deltas ([heapstats-seq]);
//   gcController        the pacer's counters (heapInUse, heapFree,
//                       heapReleased, mappedReady, totalAlloc, totalFree),
//                       declared with the pacer in mgcpacer.hpp, which this
//                       header includes at its end.
//
// Invariant [sysstat]: every byte moved by sysAlloc, sysMap or sysFree
// (mem.cpp) is added to or taken from exactly one sysMemStat, so the sum of
// them is what the runtime has mapped from the OS.
//
// Invariant [heapstats-seq]: a P's statsSeq is odd exactly while it writes a
// heapStatsDelta (between acquire and release); a writer without a P holds
// noPLock instead. A reader that has rotated gen and then seen every
// statsSeq even knows no writer is still writing the old generation.
//
// Invariant [memstats-sum] (what TestMemStats checks): with the world
// stopped and every mcache flushed, Sys = HeapSys + StackSys + MSpanSys +
// MCacheSys + BuckHashSys + GCSys + OtherSys, HeapSys = HeapIdle +
// HeapInuse, and the consistent stats agree with gcController's
// (readmemstats_m checks that under doubleCheckReadMemStats).
//
// Locks: none for the counters (atomic); consistentHeapStats.noPLock
// serialises writers without a P against the reader's rotation.
#pragma once
#include "internal/atomic/atomic.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "runtime2.hpp"
#include "sizeclasses.hpp"
#include "string.hpp"

namespace runtime {

/// sysMemStat: a count of bytes of memory a runtime structure holds from the
/// OS, updated atomically. A plain uint64 underneath, as Go's must be (mstats
/// lines up with MemStats). \gosrc{mstats.go,sysMemStat}
struct sysMemStat {
  uint64 v;
  uint64 load();
  void add(int64 n);
};

/// heapStatsDelta: changes to the heap's counters that are kept consistent
/// with each other. The allocation counts are cumulative, hence unsigned.
/// \gosrc{mstats.go,heapStatsDelta}
struct heapStatsDelta {
  // Memory.
  int64 committed;        // bytes committed (not released)
  int64 released;         // bytes released to the OS
  int64 inHeap;           // bytes in heap spans
  int64 inStacks;         // bytes in stack spans
  int64 inWorkBufs;       // bytes in the collector's work buffers
  int64 inPtrScalarBits;  // bytes in unrolled GC-program bitmaps

  // Allocations.
  uint64 tinyAllocCount;   // tiny allocations
  uint64 largeAlloc;       // bytes of large objects allocated
  uint64 largeAllocCount;  // large objects allocated
  uint64 smallAllocCount[_NumSizeClasses];
  uint64 largeFree;        // bytes of large objects freed
  uint64 largeFreeCount;
  uint64 smallFreeCount[_NumSizeClasses];

  void merge(heapStatsDelta* b);
};

/// consistentHeapStats: a ring of three heapStatsDeltas. Writers add
/// (atomically) to stats[gen]; a reader moves gen on, waits for the writers
/// of the old generation ([heapstats-seq]), folds the generation before it
/// into the old one and clears it, and so always leaves one delta clear for
/// the next rotation. \gosrc{mstats.go,consistentHeapStats}
struct consistentHeapStats {
  heapStatsDelta stats[3];
  atomic::Uint32 gen;  // 0, 1 or 2: the delta writers write
  mutex noPLock;       // writers without a P, against the reader

  NOSPLIT heapStatsDelta* acquire();
  NOSPLIT void release();
  void unsafeRead(heapStatsDelta* out);
  void unsafeClear();
  void read(heapStatsDelta* out);
};

/// cpuStats: the CPU time (ns, from nanotime, so overestimates: time the
/// OS took from a thread counts) the runtime's activities took, summed over
/// the process's life; accumulate brings it up to now. The collector keeps
/// one in work.cpuStats. \gosrc{mstats.go,cpuStats}
struct cpuStats {
  int64 gcAssistTime;     // mark assists
  int64 gcDedicatedTime;  // dedicated and fractional mark workers
  int64 gcIdleTime;       // idle mark workers
  int64 gcPauseTime;      // stops of the world, times GOMAXPROCS
  int64 gcTotalTime;

  int64 scavengeAssistTime;
  int64 scavengeBgTime;
  int64 scavengeTotalTime;

  int64 idleTime;  // Ps idle
  int64 userTime;  // what is left: Ps running user code (and the scheduler)

  int64 totalTime;  // GOMAXPROCS times the wall-clock time elapsed

  void accumulate(int64 now, bool gcMarkPhase);
};

/// mstats: the runtime's statistics, in Go's order. The GC's fields stay
/// zero until the collector. \gosrc{mstats.go,mstats}
struct mstats {
  consistentHeapStats heapStats;

  sysMemStat stacks_sys;    // stacks mapped directly for the OS (not goroutine stacks)
  sysMemStat mspan_sys;     // fixalloc'd mspans
  sysMemStat mcache_sys;    // fixalloc'd mcaches
  sysMemStat buckhash_sys;  // the profiler's bucket table
  sysMemStat gcMiscSys;     // the collector's and the heap's metadata
  sysMemStat other_sys;     // everything else (persistentalloc, page allocator metadata)

  // The collector's (protected by mheap_.lock or worldsema during a GC).
  uint64 last_gc_unix;
  uint64 pause_total_ns;
  uint64 pause_ns[256];
  uint64 pause_end[256];
  uint32 numgc;
  uint32 numforcedgc;
  double gc_cpu_fraction;
  uint64 last_gc_nanotime;
  uint64 lastHeapInUse;
  // enablegc: collections may start (gcenable). Written once, read
  // without a lock by every trigger test (Go reads it racily).
  atomic::Racy<bool> enablegc;
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

/// doubleCheckReadMemStats: readmemstats_m cross-checks the consistent
/// stats against gcController's and throws on a mismatch. Go leaves it off
/// and its tests turn it on (export_test.go); so do gort's.
/// \gosrc{mstats.go,doubleCheckReadMemStats}
inline bool doubleCheckReadMemStats = false;

struct MemStats;
void readmemstats_m(MemStats* stats);
struct slice;
SYSTEMSTACK void readGCStats_m(slice* pauses);
NOWRITEBARRIER void flushmcache(int i);
NOWRITEBARRIER void flushallmcaches();

}  // namespace runtime

// The pacer (gcController), whose counters every file that accounts memory
// updates; it needs sysMemStat from above.
#include "mgcpacer.hpp"
