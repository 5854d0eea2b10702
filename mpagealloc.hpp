// mpagealloc.hpp: the page allocator, mirroring mpagealloc.go at go1.22.12
// (methods in mpagealloc.cpp) and the 64-bit layout of mpagealloc_64bit.go
// (its constants and level tables here, its functions in
// mpagealloc_64bit.cpp). It hands out runs of runtime pages (pageSize, 8
// KiB) of the heap's address space; mheap takes spans from it.
//
// The design, in brief. One bit per page says whether the page is in use
// (pallocBits, mpallocbits.hpp), in chunks of pallocChunkPages (512) pages,
// 4 MiB of address space each. Over the chunks sits a radix tree of
// summaries (pallocSum): for a region of address space, the number of free
// pages at its start, the longest run of free pages anywhere in it, and the
// free pages at its end. The leaves summarise one chunk each; each level up
// merges 8 (1 << summaryLevelBits) children, and the root level, 2^14
// entries, covers the 48-bit address space in 16 GiB pieces. Each level is
// one flat array, reserved in full at init and mapped only where the heap
// has grown, so the tree is implicit: the children of entry i are entries
// 8i..8i+7 of the next level. A search (find) walks down from the root to
// the first place with enough free pages, looking at 8 summaries (one cache
// line) per level; allocation is address-ordered first fit.
//
// Invariants (named so that the code can cite them):
//   [sum-leaf]    summary[summaryLevels-1][ci] == chunkOf(ci).summarize()
//                 for every chunk ci in inUse, whenever the heap lock is not
//                 held (update re-establishes it after each change).
//   [sum-merge]   every entry of a level above the leaves is mergeSummaries
//                 of its 8 children.
//   [search-addr] every page below searchAddr (offset view) is in use;
//                 searchAddr is in inUse, or is maxSearchAddr() when the heap
//                 is known to be full.
//   [scav-free]   a page whose scavenged bit is set is free (alloc clears
//                 the scavenged bits of what it hands out).
//   [mapped]      summary and chunk memory is touched only for addresses in
//                 inUse; the rest of each reservation is PROT_NONE.
//
// Locks: pageAlloc has no lock of its own. mheapLock points at the lock that
// protects it (mheap_.lock in the runtime; in tests, a mutex of its own):
// chunks, summary, searchAddr, start, end, inUse, summaryMappedReady, and
// the bitmaps. alloc, free, allocToCache, flush and scavengeOne run on the
// system stack because that lock is held (SYSTEMSTACK). The scavenge index
// (scav.index) is the exception: find reads it without the lock (see
// mgcscavenge.hpp).
#pragma once
#include "malloc.hpp"
#include "mranges.hpp"
#include "mstats.hpp"
#include "runtime2.hpp"

namespace runtime {

// --- The layout of the radix tree --------------------------------------------

/// summaryLevels: the levels of the radix tree on 64-bit systems.
/// \gosrc{mpagealloc_64bit.go,summaryLevels}
inline constexpr uintptr summaryLevels = 5;

/// pageAlloc32Bit, pageAlloc64Bit: which layout this is, for the tests.
/// \gosrc{mpagealloc_64bit.go,pageAlloc64Bit}
inline constexpr uintptr pageAlloc32Bit = 0;
inline constexpr uintptr pageAlloc64Bit = 1;

/// pallocChunksL1Bits: the bits of a chunk index that select the first
/// level of pageAlloc.chunks. \gosrc{mpagealloc_64bit.go,pallocChunksL1Bits}
inline constexpr uintptr pallocChunksL1Bits = 13;

/// pallocChunkPages, pallocChunkBytes: a chunk, the unit of the bitmap, is
/// 512 pages (4 MiB). \gosrc{mpagealloc.go,pallocChunkPages}
inline constexpr uintptr logPallocChunkPages = 9;
inline constexpr uintptr pallocChunkPages = uintptr(1) << logPallocChunkPages;
inline constexpr uintptr pallocChunkBytes = pallocChunkPages * pageSize;
inline constexpr uintptr logPallocChunkBytes = logPallocChunkPages + pageShift;

/// summaryLevelBits: each level multiplies the entries by 8, so the 8
/// summaries a search reads at one level fill one 64-byte cache line.
/// summaryL0Bits: what is left of the address bits for the root level.
/// \gosrc{mpagealloc.go,summaryLevelBits}
inline constexpr uintptr summaryLevelBits = 3;
inline constexpr uintptr summaryL0Bits =
    heapAddrBits - logPallocChunkBytes - (summaryLevels - 1) * summaryLevelBits;

/// pallocChunksL2Bits: the bits of a chunk index that select an entry in a
/// second-level block of pageAlloc.chunks. \gosrc{mpagealloc.go,pallocChunksL2Bits}
inline constexpr uintptr pallocChunksL2Bits = heapAddrBits - logPallocChunkBytes - pallocChunksL1Bits;
inline constexpr uintptr pallocChunksL1Shift = pallocChunksL2Bits;

/// levelBits: log2 of the entries per block at each level (the root level is
/// one block). \gosrc{mpagealloc_64bit.go,levelBits}
inline constexpr uint levelBits[summaryLevels] = {
    summaryL0Bits, summaryLevelBits, summaryLevelBits, summaryLevelBits, summaryLevelBits,
};

/// levelShift: addr >> levelShift[l] (in the offset view) is the index of
/// addr's summary at level l. \gosrc{mpagealloc_64bit.go,levelShift}
inline constexpr uint levelShift[summaryLevels] = {
    heapAddrBits - summaryL0Bits,
    heapAddrBits - summaryL0Bits - 1 * summaryLevelBits,
    heapAddrBits - summaryL0Bits - 2 * summaryLevelBits,
    heapAddrBits - summaryL0Bits - 3 * summaryLevelBits,
    heapAddrBits - summaryL0Bits - 4 * summaryLevelBits,
};

/// levelLogPages: log2 of the pages one summary at each level covers; a
/// leaf covers one chunk. \gosrc{mpagealloc_64bit.go,levelLogPages}
inline constexpr uint levelLogPages[summaryLevels] = {
    logPallocChunkPages + 4 * summaryLevelBits,
    logPallocChunkPages + 3 * summaryLevelBits,
    logPallocChunkPages + 2 * summaryLevelBits,
    logPallocChunkPages + 1 * summaryLevelBits,
    logPallocChunkPages,
};

// --- Summaries -----------------------------------------------------------------

/// pallocSum: a summary packed into 64 bits: start, max and end, 21 bits
/// each; the case where all three are 2^21 (a wholly free root entry) is bit
/// 63 alone. Zero means "nothing free". \gosrc{mpagealloc.go,pallocSum}
struct pallocSum {
  uint64 v;
  constexpr pallocSum(uint64 x = 0) : v(x) {}
  bool operator==(const pallocSum&) const = default;

  uint start() const;
  uint max() const;
  uint end() const;
  /// unpack's three results.
  struct unpacked {
    uint start, max, end;
  };
  unpacked unpack() const;
};

/// logMaxPackedValue, maxPackedValue: a packed field holds up to 2^21 - 1;
/// 2^21 pages (the root level's 16 GiB) only through bit 63.
/// \gosrc{mpagealloc.go,maxPackedValue}
inline constexpr uintptr pallocSumBytes = sizeof(pallocSum);
inline constexpr uintptr logMaxPackedValue = logPallocChunkPages + (summaryLevels - 1) * summaryLevelBits;
inline constexpr uintptr maxPackedValue = uintptr(1) << logMaxPackedValue;

/// freeChunkSum: the summary of a free chunk. \gosrc{mpagealloc.go,freeChunkSum}
inline constexpr pallocSum freeChunkSum{uint64(pallocChunkPages) |
                                        uint64(pallocChunkPages << logMaxPackedValue) |
                                        uint64(pallocChunkPages << (2 * logMaxPackedValue))};

pallocSum packPallocSum(uint start, uint max, uint end);
pallocSum mergeSummaries(const pallocSum* sums, int n, uint logMaxPagesPerSum);

// --- Chunk indices -------------------------------------------------------------

/// chunkIdx: a chunk's number, counted from arenaBaseOffset (the index of
/// its leaf summary). \gosrc{mpagealloc.go,chunkIdx}
struct chunkIdx {
  uint v;
  constexpr chunkIdx(uint x = 0) : v(x) {}
  constexpr operator uint() const { return v; }
  chunkIdx& operator++() { v++; return *this; }
  chunkIdx& operator--() { v--; return *this; }
  chunkIdx operator++(int) { return chunkIdx(v++); }
  chunkIdx operator--(int) { return chunkIdx(v--); }

  uint l1() const;
  uint l2() const;
};

// lsh64(x, s) is Go's x << s on a uint64: 0 once s reaches 64, where C++
// leaves the shift undefined. The bitmap code shifts by page counts that may
// be 64 (a whole word), and relies on Go's answer.
NOSPLIT_INLINE constexpr uint64 lsh64(uint64 x, uint s) { return s < 64 ? x << s : 0; }

}  // namespace runtime

// The bitmaps, the scavenger's index and the page cache need the sizes and
// types above; pageAlloc below needs them complete.
#define GORT_MPAGEALLOC_BASE
#include "mpallocbits.hpp"
#include "mgcscavenge.hpp"
#include "mpagecache.hpp"

namespace runtime {

/// pageAlloc: the page allocator. See the file comment for the structure and
/// for the lock that protects it (mheapLock). \gosrc{mpagealloc.go,pageAlloc}
struct pageAlloc {
  /// The radix tree: summary[l] is level l (0 the root). Each slice's cap is
  /// the whole reservation; its len is one past the highest entry the heap
  /// has grown into, so indexing beyond it fails loudly ([mapped] is still
  /// the caller's job below len: see inUse).
  notInHeapSlice<pallocSum> summary[summaryLevels];

  /// The bitmaps, in a sparse two-level array: chunkOf(ci) is
  /// (*chunks[ci.l1()])[ci.l2()]. Each second-level block is 1 MiB (8192
  /// chunks' pallocData), sysAlloc'd the first time grow reaches it.
  using pallocDataL2 = pallocData[uintptr(1) << pallocChunksL2Bits];
  pallocDataL2* chunks[uintptr(1) << pallocChunksL1Bits];

  /// Where the next search starts ([search-addr]).
  offAddr searchAddr;

  /// The chunks [start, end) the allocator knows (may include gaps).
  chunkIdx start, end;

  /// The address ranges grow has added (usually one).
  addrRanges inUse;

  /// The scavenger's state (mgcscavenge.hpp).
  struct {
    scavengeIndex index;              // which chunks have pages to release
    atomic::Uintptr releasedBg;       // released by the background scavenger this cycle
    atomic::Uintptr releasedEager;    // released by allocating goroutines this cycle
  } scav;

  /// The lock that protects this pageAlloc (mheap_.lock in the runtime).
  mutex* mheapLock;

  /// Where the memory for metadata (summaries, bitmaps, index) is counted.
  sysMemStat* sysStat;

  /// Bytes of summary and index memory mapped Ready (for the tests).
  uintptr summaryMappedReady;

  /// Whether the bitmap blocks should be backed by huge pages.
  bool chunkHugePages;

  /// A test's allocator: its addresses are fictitious, never mapped.
  bool test;

  void init(mutex* mheapLock, sysMemStat* sysStat, bool test);
  pallocData* tryChunkOf(chunkIdx ci);
  pallocData* chunkOf(chunkIdx ci);
  void grow(uintptr base, uintptr size);
  SYSTEMSTACK void enableChunkHugePages();
  void update(uintptr base, uintptr npages, bool contig, bool alloc);
  uintptr allocRange(uintptr base, uintptr npages);
  offAddr findMappedAddr(offAddr addr);
  /// find's two results: the address found (0: none), and a new candidate
  /// for searchAddr.
  struct foundPages {
    uintptr addr;
    offAddr searchAddr;
  };
  foundPages find(uintptr npages);
  /// alloc's two results: the address (0: none) and the bytes of it that
  /// were scavenged.
  struct allocated {
    uintptr addr;
    uintptr scav;
  };
  SYSTEMSTACK allocated alloc(uintptr npages);
  SYSTEMSTACK void free(uintptr base, uintptr npages);

  // mpagealloc_64bit.go
  void sysInit(bool test);
  void sysGrow(uintptr base, uintptr limit);

  // mpagecache.go
  SYSTEMSTACK pageCache allocToCache();

  // mgcscavenge.go
  uintptr scavenge(uintptr nbytes, bool (*shouldStop)(), bool force);
  SYSTEMSTACK uintptr scavengeOne(chunkIdx ci, uint searchIdx, uintptr max);
};

// --- Inline helpers, in mpagealloc.go's order --------------------------------

/// maxSearchAddr: the searchAddr that means "the heap is full". A function
/// in Go so that it is usable before package initialisation.
/// \gosrc{mpagealloc.go,maxSearchAddr}
NOSPLIT_INLINE offAddr maxSearchAddr() { return maxOffAddr; }

/// chunkIndex: the chunk that contains p. \gosrc{mpagealloc.go,chunkIndex}
NOSPLIT_INLINE chunkIdx chunkIndex(uintptr p) {
  return chunkIdx((p - arenaBaseOffset) / pallocChunkBytes);
}

/// chunkBase: the first address of chunk ci. \gosrc{mpagealloc.go,chunkBase}
NOSPLIT_INLINE uintptr chunkBase(chunkIdx ci) {
  return uintptr(ci) * pallocChunkBytes + arenaBaseOffset;
}

/// chunkPageIndex: the index, within its chunk, of the page that contains p.
/// \gosrc{mpagealloc.go,chunkPageIndex}
NOSPLIT_INLINE uint chunkPageIndex(uintptr p) { return uint(p % pallocChunkBytes / pageSize); }

/// l1: the index of ci's block in pageAlloc.chunks. \gosrc{mpagealloc.go,chunkIdx.l1}
NOSPLIT_INLINE uint chunkIdx::l1() const {
  if constexpr (pallocChunksL1Bits == 0) {
    return 0;
  } else {
    return v >> pallocChunksL1Shift;
  }
}

/// l2: the index of ci within its block. \gosrc{mpagealloc.go,chunkIdx.l2}
NOSPLIT_INLINE uint chunkIdx::l2() const {
  if constexpr (pallocChunksL1Bits == 0) {
    return v;
  } else {
    return v & ((uint(1) << pallocChunksL2Bits) - 1);
  }
}

/// offAddrToLevelIndex: the index of the summary at level that covers addr.
/// \gosrc{mpagealloc.go,offAddrToLevelIndex}
NOSPLIT_INLINE int offAddrToLevelIndex(int level, offAddr addr) {
  return int((addr.a - arenaBaseOffset) >> levelShift[level]);
}

/// levelIndexToOffAddr: the first address covered by summary idx at level.
/// \gosrc{mpagealloc.go,levelIndexToOffAddr}
NOSPLIT_INLINE offAddr levelIndexToOffAddr(int level, int idx) {
  return offAddr{(uintptr(idx) << levelShift[level]) + arenaBaseOffset};
}

/// addrsToSummaryRange's result: the entries [lo, hi) of a level.
struct summaryRange {
  int lo, hi;
};

/// addrsToSummaryRange: the entries [lo, hi) of level that cover
/// [base, limit). hi is computed from limit-1 and then incremented, so that
/// a limit exactly on an entry's boundary does not take in the next entry.
/// \gosrc{mpagealloc.go,addrsToSummaryRange}
NOSPLIT_INLINE summaryRange addrsToSummaryRange(int level, uintptr base, uintptr limit) {
  int lo = int((base - arenaBaseOffset) >> levelShift[level]);
  int hi = int(((limit - 1) - arenaBaseOffset) >> levelShift[level]) + 1;
  return {lo, hi};
}

/// blockAlignSummaryRange: [lo, hi) widened to whole blocks of level (lo
/// down, hi up). \gosrc{mpagealloc.go,blockAlignSummaryRange}
NOSPLIT_INLINE summaryRange blockAlignSummaryRange(int level, int lo, int hi) {
  uintptr e = uintptr(1) << levelBits[level];
  return {int(alignDown(uintptr(lo), e)), int(alignUp(uintptr(hi), e))};
}

/// tryChunkOf: the bitmap of chunk ci, or nullptr if its block has never
/// been mapped. \gosrc{mpagealloc.go,pageAlloc.tryChunkOf}
inline pallocData* pageAlloc::tryChunkOf(chunkIdx ci) {
  pallocDataL2* l2 = chunks[ci.l1()];
  if (l2 == nullptr) return nullptr;
  return &(*l2)[ci.l2()];
}

/// chunkOf: the bitmap of chunk ci, which must be in the heap.
/// \gosrc{mpagealloc.go,pageAlloc.chunkOf}
inline pallocData* pageAlloc::chunkOf(chunkIdx ci) { return &(*chunks[ci.l1()])[ci.l2()]; }

/// packPallocSum: pack start, max and end (each at most maxPackedValue).
/// \gosrc{mpagealloc.go,packPallocSum}
inline pallocSum packPallocSum(uint start, uint max, uint end) {
  if (max == maxPackedValue) return pallocSum(uint64(1) << 63);
  return pallocSum((uint64(start) & (maxPackedValue - 1)) |
                   ((uint64(max) & (maxPackedValue - 1)) << logMaxPackedValue) |
                   ((uint64(end) & (maxPackedValue - 1)) << (2 * logMaxPackedValue)));
}

/// start: the free pages at the start of the region.
/// \gosrc{mpagealloc.go,pallocSum.start}
NOSPLIT_INLINE uint pallocSum::start() const {
  if ((v & (uint64(1) << 63)) != 0) return maxPackedValue;
  return uint(v & (maxPackedValue - 1));
}

/// max: the longest run of free pages in the region.
/// \gosrc{mpagealloc.go,pallocSum.max}
NOSPLIT_INLINE uint pallocSum::max() const {
  if ((v & (uint64(1) << 63)) != 0) return maxPackedValue;
  return uint((v >> logMaxPackedValue) & (maxPackedValue - 1));
}

/// end: the free pages at the end of the region.
/// \gosrc{mpagealloc.go,pallocSum.end}
NOSPLIT_INLINE uint pallocSum::end() const {
  if ((v & (uint64(1) << 63)) != 0) return maxPackedValue;
  return uint((v >> (2 * logMaxPackedValue)) & (maxPackedValue - 1));
}

/// unpack: start, max and end at once. \gosrc{mpagealloc.go,pallocSum.unpack}
NOSPLIT_INLINE pallocSum::unpacked pallocSum::unpack() const {
  if ((v & (uint64(1) << 63)) != 0) return {maxPackedValue, maxPackedValue, maxPackedValue};
  return {uint(v & (maxPackedValue - 1)), uint((v >> logMaxPackedValue) & (maxPackedValue - 1)),
          uint((v >> (2 * logMaxPackedValue)) & (maxPackedValue - 1))};
}

}  // namespace runtime
