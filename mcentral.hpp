// mcentral.hpp: the central lists of spans, mirroring mcentral.go at
// go1.22.12 (functions in mcentral.cpp). There is one mcentral per span
// class (mheap_.central). An mcache whose span of a class is full gives it
// back here (uncacheSpan) and takes one with free objects (cacheSpan); an
// mcentral with none grows by a fresh span from the heap (grow).
//
// The spans are kept in four lock-free sets (mspanset.hpp): partial (some
// free objects) and full (none), each twice, swept and unswept. The two
// roles swap every GC cycle as mheap_.sweepgen moves by 2: partialSwept is
// partial[sweepgen/2%2], partialUnswept the other. The port's collector
// sweeps every span before the world restarts (mgc.hpp), so outside a
// collection the unswept sets are empty and every span an mcentral holds
// is swept.
//
// Invariants:
//   [central-class]  every span in an mcentral's sets has its spanclass.
//   [central-owner]  a span is in at most one set, or cached by one mcache
//                    (its sweepgen is then mheap_.sweepgen+3), or neither.
//
// Locks: none of its own; the sets are lock-free. grow takes the heap lock
// (mheap.alloc).
//
// Include mheap.hpp, not this file.
#pragma once
#ifndef GORT_MHEAP_BASE
#error "include mheap.hpp, which includes mcentral.hpp"
#endif
#include "mspanset.hpp"

namespace runtime {

/// mcentral: the spans of one span class. \gosrc{mcentral.go,mcentral}
struct mcentral : sys::NotInHeap {
  spanClass spanclass;
  spanSet partial[2];  // spans with a free object
  spanSet full[2];     // spans with none

  void init(spanClass spc);
  spanSet* partialUnswept(uint32 sweepgen);
  spanSet* partialSwept(uint32 sweepgen);
  spanSet* fullUnswept(uint32 sweepgen);
  spanSet* fullSwept(uint32 sweepgen);
  mspan* cacheSpan();
  void uncacheSpan(mspan* s);
  mspan* grow();
};

}  // namespace runtime
