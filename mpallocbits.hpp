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

uint findBitRange64(uint64 c, uint n);

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
