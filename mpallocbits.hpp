// mpallocbits.hpp: the per-chunk bitmaps of the page allocator, mirroring
// mpallocbits.go at go1.22.12 (methods in mpallocbits.cpp): pageBits (one
// bit per page of a chunk), pallocBits (the allocation bitmap: 1 = in use,
// with the searches), and pallocData (a chunk's allocation bitmap and its
// scavenged bitmap, side by side).
//
// Invariant [scav-free] (mpagealloc.hpp): in a pallocData, a page whose
// scavenged bit is set has its allocation bit clear; allocRange and allocAll
// clear the scavenged bits of what they allocate.
//
// Locks: none of its own; a chunk's bitmaps are protected by the page
// allocator's lock.
//
// Include mpagealloc.hpp, not this file: it needs the chunk size and
// pallocSum from there, and pageAlloc needs pallocData from here.
#pragma once
#ifndef GORT_MPAGEALLOC_BASE
#error "include mpagealloc.hpp, which includes mpallocbits.hpp"
#endif

#include "internal/sys/intrinsics.hpp"

namespace runtime {

/// pageBits: one bit per page of a chunk (512 bits).
/// \gosrc{mpallocbits.go,pageBits}
struct pageBits {
  static constexpr uint len = pallocChunkPages / 64;
  uint64 b[len];

  uint64& operator[](uint i) { return b[i]; }
  const uint64& operator[](uint i) const { return b[i]; }

  uint get(uint i) const;
  uint64 block64(uint i) const;
  void set(uint i);
  void setRange(uint i, uint n);
  void setAll();
  void setBlock64(uint i, uint64 v);
  void clear(uint i);
  void clearRange(uint i, uint n);
  void clearAll();
  void clearBlock64(uint i, uint64 v);
  uint popcntRange(uint i, uint n) const;
};

/// pallocBits: a chunk's allocation bitmap, 0 = free, 1 = in use. Go
/// declares it as a new type over pageBits and converts to reach pageBits'
/// methods; here it derives from pageBits, so those methods are reached as
/// pageBits::set and so on. \gosrc{mpallocbits.go,pallocBits}
struct pallocBits : pageBits {
  pallocSum summarize() const;
  /// find's two results: the first page of a free run of the size asked
  /// (^uint(0) if none) and the first free page seen, a new searchIdx.
  struct found {
    uint index;
    uint searchIdx;
  };
  found find(uintptr npages, uint searchIdx) const;
  uint find1(uint searchIdx) const;
  found findSmallN(uintptr npages, uint searchIdx) const;
  found findLargeN(uintptr npages, uint searchIdx) const;
  void allocRange(uint i, uint n);
  void allocAll();
  void free1(uint i);
  void free(uint i, uint n);
  void freeAll();
  uint64 pages64(uint i) const;
  void allocPages64(uint i, uint64 alloc);
};

/// findBitRange64: the index of the lowest run of n set bits in c (n > 0),
/// or a value >= 64 if there is none. It removes the top n-1 ones of every
/// run of ones (ANDing c with itself shifted, doubling the shift as the runs
/// of zeros grow); a one that survives starts a long enough run.
/// Inline in this header, as Go's compiler inlines it into its callers
/// (findSmallN, the benchmark): out of line, a call costs more than the
/// search for a short run. \gosrc{mpallocbits.go,findBitRange64}
inline uint findBitRange64(uint64 c, uint n) {
  uint p = n - 1;  // ones still to remove from the top of each run
  uint k = 1;      // the shortest run of zeros in c, a lower bound
  while (p > 0) {
    if (p <= k) {
      c &= c >> (p & 63);
      break;
    }
    c &= c >> (k & 63);
    if (c == 0) return 64;
    p -= k;
    k *= 2;
  }
  // The runs shrank from the top, so the lowest one left is where its run
  // started.
  return uint(sys::TrailingZeros64(c));
}

/// pallocData: a chunk's allocation bitmap (the base) and its scavenged
/// bitmap ([scav-free]). \gosrc{mpallocbits.go,pallocData}
struct pallocData : pallocBits {
  pageBits scavenged;  // 1 = the page's memory was returned to the OS

  void allocRange(uint i, uint n);
  void allocAll();

  // mgcscavenge.go
  /// findScavengeCandidate's two results: a run of free, unscavenged pages.
  struct candidate {
    uint start;
    uint size;
  };
  candidate findScavengeCandidate(uint searchIdx, uintptr minimum, uintptr max) const;
};
static_assert(sizeof(pallocData) == 2 * pallocChunkPages / 8);

}  // namespace runtime
