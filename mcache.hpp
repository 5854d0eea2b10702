// mcache.hpp: the per-P cache of small-object spans, mirroring mcache.go at
// go1.22.12 (functions in mcache.cpp). Each P owns one mcache (p.mcache);
// mallocgc allocates from it without a lock because only the M holding the
// P touches it. It holds one span per span class (alloc), the tiny
// allocator's current block, and counters that are flushed into the global
// statistics when a span goes back to its mcentral.
//
// Bootstrap: before procresize has made any P, mallocgc uses mcache0, the
// mcache mallocinit allocates; procresize hands it to P 0 and clears it.
//
// Invariants:
//   [mcache-owner]  an mcache is used only by the M that holds its P, with
//                   m.locks held (acquirem) so that the P cannot change; or,
//                   for mcache0, by the bootstrap thread before any P exists.
//   [mcache-empty]  an alloc slot holds &emptymspan (no free objects) until
//                   the first refill, so that the fast path needs no nil
//                   check.
//   [mcache-cached] a span in alloc has sweepgen == mheap_.sweepgen+3 and is
//                   in no mcentral set.
//   [tiny]          tiny is the current 16-byte block of the tiny allocator
//                   (0 if none), and tinyoffset the bytes of it in use.
//
// Locks: none (see [mcache-owner]). allocmcache and freemcache take the
// heap lock for cachealloc.
#pragma once
#include <tuple>

#include "mheap.hpp"
#include "stack.hpp"

namespace runtime {

/// stackfreelist: a list of free stacks of one order (mcache.stackcache).
/// \gosrc{mcache.go,stackfreelist}
struct stackfreelist {
  gclinkptr list;
  uintptr size;  // bytes of stacks in list
};

/// mcache: a P's allocation cache. \gosrc{mcache.go,mcache}
struct mcache : sys::NotInHeap {
  // The fields every mallocgc reads come first, on one cache line.
  uintptr nextSample;  // heap profiling: sample after this many bytes
  uintptr scanAlloc;   // bytes of scannable objects allocated

  // The tiny allocator ([tiny]). tiny is a heap pointer in memory the
  // collector does not scan; the collector's releaseAll clears it.
  uintptr tiny;
  uintptr tinyoffset;
  uintptr tinyAllocs;  // tiny allocations by this P, not yet flushed

  mspan* alloc[numSpanClasses];  // the span each class allocates from

  // The P's free stacks, one list per stack order (stack.cpp).
  stackfreelist stackcache[_NumStackOrders];

  // flushGen: the sweepgen at which this mcache was last flushed; a P
  // whose mcache is behind flushes it before allocating (prepareForSweep).
  atomic::Uint32 flushGen;

  void refill(spanClass spc);
  mspan* allocLarge(uintptr size, bool noscan);
  void releaseAll();
  void prepareForSweep();

  // malloc.go
  /// nextFree's three results: the object, its span, and whether a span had
  /// to be fetched (a heavier allocation, after which Go checks whether to
  /// start a GC).
  std::tuple<gclinkptr, mspan*, bool> nextFree(spanClass spc);
};

/// emptymspan: a span with no free objects, the placeholder in unfilled
/// mcache slots ([mcache-empty]). \gosrc{mcache.go,emptymspan}
extern mspan emptymspan;

/// mcache0: the bootstrap mcache, used before P 0 exists (malloc.cpp sets
/// it, procresize clears it). \gosrc{proc.go,mcache0}
extern mcache* mcache0;

mcache* allocmcache();
void freemcache(mcache* c);
NOSPLIT_INLINE mcache* getMCache(m* mp);

/// getMCache: the mcache mp should allocate from: its P's, or mcache0
/// while bootstrapping. The caller keeps the P (acquirem).
/// \gosrc{mcache.go,getMCache}
NOSPLIT_INLINE mcache* getMCache(m* mp) {
  p* pp = mp->p.ptr();
  mcache* c;
  if (pp == nullptr) {
    // No P: only while bootstrapping, when mcache0 is set.
    c = mcache0;
  } else {
    c = pp->mcache;
  }
  return c;
}

}  // namespace runtime
