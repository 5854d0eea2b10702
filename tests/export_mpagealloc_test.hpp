// export_mpagealloc_test.hpp: the hooks that Go's runtime/export_test.go
// opens into the page-level allocator for its tests, at go1.22.12, with Go's
// names: PageAlloc, NewPageAlloc, FreePageAlloc, PallocBits, PallocSum,
// PallocData, PageCache, AddrRange(s), BitRange, ScavengeIndex, BaseChunkIdx,
// PageBase and the small wrappers and constants around them (export_test.go
// lines 812-1349 and 1798-1891). Tests and benchmarks use only these names,
// as Go's runtime_test package can only use exported ones.
//
// Header-only (inline), so that gort_test's translation units and
// gort_bench's (which builds tests/export_test.cpp but no other test file)
// can both use it without a change to the build.
//
// How Go's hooks map here:
//   - `type PallocBits pallocBits` (a new type over a runtime type, with
//     exported methods) is a struct deriving from the runtime type that adds
//     only the exported methods; a runtime object is viewed as one with a
//     cast, as Go converts (*PallocBits)(p). The static_asserts check that
//     the layouts agree.
//   - Go's maps ([ChunkIdx][]BitRange) are std::map and std::vector: this is
//     test code (PORTING.md §5 does not apply).
//   - The test allocators are "test" pageAllocs (pageAlloc.init's test
//     flag): their heap addresses are fictitious. BaseChunkIdx is chunk
//     0xc000 * pallocChunkBytes (192 GiB), far from anything the process
//     maps; only the metadata (summaries, bitmaps, scavenge index) is real
//     memory, reserved and mapped by the allocator as in production, and
//     FreePageAlloc unmaps it.
#pragma once
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chan.hpp"
#include "lockrank_off.hpp"
#include "mem.hpp"
#include "mpagealloc.hpp"
#include "proc.hpp"

namespace runtime {

// export_test.go:812 at go1.22.12.
inline constexpr uintptr PageSize = pageSize;
inline constexpr uintptr PallocChunkPages = pallocChunkPages;
inline constexpr uintptr PageAlloc64Bit = pageAlloc64Bit;
inline constexpr uintptr PallocSumBytes = pallocSumBytes;

// export_test.go:46 at go1.22.12 (read at run time: osinit sets them).
inline uintptr PhysPageSize() { return physPageSize; }
inline uintptr PhysHugePageSize() { return physHugePageSize; }

// export_test.go:820 at go1.22.12: pallocSum for testing.
struct PallocSum : pallocSum {
  PallocSum(pallocSum s = pallocSum()) : pallocSum(s) {}
  uint Start() const { return start(); }
  uint Max() const { return max(); }
  uint End() const { return end(); }
};
inline PallocSum PackPallocSum(uint start, uint max, uint end) { return packPallocSum(start, max, end); }

struct BitRange;

// export_test.go:828 at go1.22.12: pallocBits for testing.
struct PallocBits : pallocBits {
  pallocBits::found Find(uintptr npages, uint searchIdx) const { return find(npages, searchIdx); }
  void AllocRange(uint i, uint n) { allocRange(i, n); }
  void Free(uint i, uint n) { free(i, n); }
  PallocSum Summarize() const { return summarize(); }
  uint PopcntRange(uint i, uint n) const { return popcntRange(i, n); }
};
static_assert(sizeof(PallocBits) == sizeof(pallocBits));

// export_test.go:840 at go1.22.12: the obviously correct summary, bit by bit.
inline PallocSum SummarizeSlow(const PallocBits* b) {
  uint start = 0, most = 0, end = 0;
  constexpr uint N = pageBits::len * 64;
  while (start < N && b->get(start) == 0) start++;
  while (end < N && b->get(N - end - 1) == 0) end++;
  uint run = 0;
  for (uint i = 0; i < N; i++) {
    if (b->get(i) == 0) {
      run++;
    } else {
      run = 0;
    }
    most = std::max(most, run);
  }
  return PackPallocSum(start, most, end);
}

// export_test.go:863 at go1.22.12.
inline uint FindBitRange64(uint64 c, uint n) { return findBitRange64(c, n); }

// export_test.go:1137 at go1.22.12: a range of bits.
struct BitRange {
  uint I, N;  // bit index and length in bits
  bool operator==(const BitRange&) const = default;
};

// export_test.go:867 at go1.22.12: the ranges of bits where a and b differ.
inline std::vector<BitRange> DiffPallocBits(const PallocBits* a, const PallocBits* b) {
  std::vector<BitRange> d;
  uint base = 0, size = 0;
  for (uint i = 0; i < pageBits::len * 64; i++) {
    if (a->get(i) != b->get(i)) {
      if (size == 0) base = i;
      size++;
    } else {
      if (size != 0) d.push_back(BitRange{base, size});
      size = 0;
    }
  }
  if (size != 0) d.push_back(BitRange{base, size});
  return d;
}

// export_test.go:895 at go1.22.12: the bits of r in b, as '0' and '1'.
inline std::string StringifyPallocBits(const PallocBits* b, BitRange r) {
  std::string str;
  for (uint j = r.I; j < r.I + r.N; j++) str += b->get(j) != 0 ? "1" : "0";
  return str;
}

// export_test.go:908 at go1.22.12: pallocData for testing.
struct PallocData : pallocData {
  pallocData::candidate FindScavengeCandidate(uint searchIdx, uintptr min, uintptr max) const {
    return findScavengeCandidate(searchIdx, min, max);
  }
  void AllocRange(uint i, uint n) { allocRange(i, n); }
  void ScavengedSetRange(uint i, uint n) { scavenged.setRange(i, n); }
  ::runtime::PallocBits* PallocBits() {
    return static_cast<::runtime::PallocBits*>(static_cast<pallocBits*>(this));
  }
  ::runtime::PallocBits* Scavenged() {
    // Go converts the scavenged pageBits to *PallocBits.
    return reinterpret_cast<::runtime::PallocBits*>(&scavenged);
  }
};
static_assert(sizeof(PallocData) == sizeof(pallocData));

// export_test.go:925 at go1.22.12.
inline uint64 FillAligned(uint64 x, uint m) { return fillAligned(x, m); }

struct PageAlloc;

// export_test.go:928 at go1.22.12: pageCache for testing.
struct PageCache : pageCache {
  PageCache(pageCache c = pageCache{}) : pageCache(c) {}
  bool Empty() const { return empty(); }
  uintptr Base() const { return base; }
  uint64 Cache() const { return cache; }
  uint64 Scav() const { return scav; }
  pageCache::allocated Alloc(uintptr npages) { return alloc(npages); }
  void Flush(PageAlloc* s);
};
inline constexpr uintptr PageCachePages = pageCachePages;
inline PageCache NewPageCache(uintptr base, uint64 cache, uint64 scav) {
  return PageCache(pageCache{base, cache, scav});
}

// export_test.go:956 at go1.22.12.
using ChunkIdx = chunkIdx;

// export_test.go:1024 at go1.22.12: addrRange for testing.
struct AddrRange {
  addrRange r;  // Go embeds addrRange
  uintptr Base() const { return r.base.addr(); }
  uintptr Limit() const { return r.limit.addr(); }
  bool Equals(AddrRange b) const { return r == b.r; }
  uintptr Size() const { return r.size(); }
};
inline AddrRange MakeAddrRange(uintptr base, uintptr limit) { return AddrRange{makeAddrRange(base, limit)}; }

// export_test.go:1057 at go1.22.12: the stat the test structures count their
// memory in.
inline sysMemStat* testSysStat() { return &memstats.other_sys; }

// export_test.go:960 at go1.22.12: pageAlloc for testing. As in Go, every
// hook that needs the lock takes the allocator's own mheapLock, on the
// system stack.
struct PageAlloc : pageAlloc {
  pageAlloc::allocated Alloc(uintptr npages) {
    pageAlloc::allocated r{};
    systemstack([&] {
      lock(mheapLock);
      r = alloc(npages);
      unlock(mheapLock);
    });
    return r;
  }
  PageCache AllocToCache() {
    PageCache c;
    systemstack([&] {
      lock(mheapLock);
      c = PageCache(allocToCache());
      unlock(mheapLock);
    });
    return c;
  }
  void Free(uintptr base, uintptr npages) {
    systemstack([&] {
      lock(mheapLock);
      free(base, npages);
      unlock(mheapLock);
    });
  }
  struct bounds {
    ChunkIdx start, end;
  };
  bounds Bounds() const { return {start, end}; }
  uintptr Scavenge(uintptr nbytes) {
    uintptr r = 0;
    systemstack([&] { r = scavenge(nbytes, nullptr, true); });
    return r;
  }
  std::vector<AddrRange> InUse() const {
    std::vector<AddrRange> ranges;
    for (int i = 0; i < inUse.len; i++) ranges.push_back(AddrRange{inUse.ranges[i]});
    return ranges;
  }
  // Returns nullptr if the chunk's block is not mapped.
  ::runtime::PallocData* PallocData(ChunkIdx i) {
    return static_cast<::runtime::PallocData*>(tryChunkOf(i));
  }

  // The lock NewPageAlloc gives it (Go: new(mutex)).
  mutex ownLock;
};

inline void PageCache::Flush(PageAlloc* s) {
  pageCache* cp = this;
  pageAlloc* sp = s;
  systemstack([&] {
    lock(sp->mheapLock);
    cp->flush(sp);
    unlock(sp->mheapLock);
  });
}

// export_test.go:1060 at go1.22.12: addrRanges for testing. Departure: an
// AddrRanges from MakeAddrRanges keeps its array in a vector it owns (Go's
// comes from make and the garbage collector keeps it), so it moves but does
// not copy.
struct AddrRanges {
  addrRanges a{};  // Go embeds addrRanges
  bool mutable_;
  std::vector<addrRange> storage;

  AddrRanges(addrRanges a, bool mutable_) : a(a), mutable_(mutable_) {}
  AddrRanges(AddrRanges&&) = default;
  AddrRanges(const AddrRanges&) = delete;

  std::vector<AddrRange> Ranges() const {
    std::vector<AddrRange> result;
    for (int i = 0; i < a.len; i++) result.push_back(AddrRange{a.ranges[i]});
    return result;
  }
  int FindSucc(uintptr base) { return a.findSucc(base); }
  void Add(AddrRange r) {
    if (!mutable_) throw_("attempt to mutate immutable AddrRanges");
    a.add(r.r);
  }
  uintptr TotalBytes() const { return a.totalBytes; }
};

// export_test.go:1074 at go1.22.12: an empty, mutable set, initialised as
// the runtime's (its array persistentalloc'd, so leaked).
inline AddrRanges NewAddrRanges() {
  addrRanges r{};
  r.init(testSysStat());
  return AddrRanges(r, true);
}

// export_test.go:1085 at go1.22.12: a set holding exactly the ranges given;
// not to be added to.
inline AddrRanges MakeAddrRanges(const std::vector<AddrRange>& a) {
  AddrRanges out(addrRanges{}, false);
  uintptr total = 0;
  for (const AddrRange& r : a) {
    out.storage.push_back(r.r);
    total += r.Size();
  }
  out.a.ranges = out.storage.data();
  out.a.len = int(out.storage.size());
  out.a.cap = int(out.storage.size());
  out.a.totalBytes = total;
  out.a.sysStat = testSysStat();
  return out;
}

/// The random source of the hooks and tests (Go: math/rand's global
/// source, randomly seeded since Go 1.20).
inline std::mt19937_64& testRand() {
  static std::mt19937_64 r{std::random_device{}()};
  return r;
}

// export_test.go:1155 at go1.22.12: a test allocator grown by each chunk of
// chunks, whose bitmap then has the ranges given set in use, and, if scav
// has the chunk, the ranges of scav set scavenged (except where in use).
// Chunks without scav ranges have no scavenged page (grow's all-scavenged
// state is cleared). Go grows the chunks in its map's random order; so
// does this, by shuffling them.
inline PageAlloc* NewPageAlloc(const std::map<ChunkIdx, std::vector<BitRange>>& chunks,
                               const std::map<ChunkIdx, std::vector<BitRange>>& scav = {}) {
  PageAlloc* p = new PageAlloc();  // Go: new(pageAlloc); zeroed

  p->init(&p->ownLock, testSysStat(), true);
  std::vector<ChunkIdx> order;
  for (const auto& kv : chunks) order.push_back(kv.first);
  std::shuffle(order.begin(), order.end(), testRand());
  for (ChunkIdx i : order) {
    const std::vector<BitRange>& init = chunks.at(i);
    uintptr addr = chunkBase(i);

    // The chunk joins the allocator.
    systemstack([&] {
      lock(p->mheapLock);
      p->grow(addr, pallocChunkBytes);
      unlock(p->mheapLock);
    });

    chunkIdx ci = chunkIndex(addr);
    pallocData* chunk = p->chunkOf(ci);

    // Undo grow's "all scavenged".
    chunk->scavenged.clearRange(0, pallocChunkPages);

    // In the index, as if every page had been allocated and freed: all free.
    p->scav.index.alloc(ci, pallocChunkPages);
    p->scav.index.free(ci, 0, pallocChunkPages);

    // The scavenged ranges.
    if (auto it = scav.find(i); it != scav.end()) {
      for (const BitRange& s : it->second) {
        // setRange cannot take N == 0, which means nothing anyway.
        if (s.N != 0) chunk->scavenged.setRange(s.I, s.N);
      }
    }

    // The ranges in use.
    for (const BitRange& s : init) {
      if (s.N != 0) {
        chunk->allocRange(s.I, s.N);
        p->scav.index.alloc(ci, s.N);
      }
    }

    // The summaries, after the bitmaps changed behind their back.
    systemstack([&] {
      lock(p->mheapLock);
      p->update(addr, pallocChunkPages, false, false);
      unlock(p->mheapLock);
    });
  }
  return p;
}

// export_test.go:1223 at go1.22.12: unmap everything a test allocator
// mapped, undo its accounting, and delete it (Go leaves the object to the
// collector).
inline void FreePageAlloc(PageAlloc* p) {
  // The summary levels' reservations.
  for (uintptr l = 0; l < summaryLevels; l++) {
    sysFreeOS(p->summary[l].array, uintptr(p->summary[l].cap) * pallocSumBytes);
  }

  // The index's reservation.
  sysFreeOS(p->scav.index.chunks.array, uintptr(p->scav.index.chunks.cap) * sizeof(atomicScavChunkData));

  // What sysUsed counted for the summaries and the index (there is no other
  // record of how much of the reservations was mapped).
  gcController.mappedReady.Add(-int64(p->summaryMappedReady));
  testSysStat()->add(-int64(p->summaryMappedReady));

  // The bitmap blocks (from sysAlloc, so whole pages).
  for (auto& c : p->chunks) {
    if (c != nullptr) {
      void* x = c;
      c = nullptr;
      sysFree(x, sizeof(*p->chunks[0]), testSysStat());
    }
  }
  delete p;
}

// export_test.go:1265 at go1.22.12: a chunk for the tests' heaps, at
// 0xc000 chunks (192 GiB) on 64-bit systems, where nothing else lives.
inline const ChunkIdx BaseChunkIdx = [] {
  uintptr prefix = PageAlloc64Bit != 0 ? 0xc000 : 0x100;
  uintptr baseAddr = prefix * pallocChunkBytes;
  return ChunkIdx(chunkIndex(baseAddr));
}();

// export_test.go:1281 at go1.22.12: the address of page pageIdx of chunk c.
inline uintptr PageBase(ChunkIdx c, uint pageIdx) {
  return chunkBase(c) + uintptr(pageIdx) * pageSize;
}

// export_test.go:1694 at go1.22.12.
inline constexpr int ScavengePercent = scavengePercent;

// export_test.go:1696 at go1.22.12: a background scavenger of the test's
// own, whose work, sleep, stop condition and GOMAXPROCS are the test's
// functions (set all four before Start). Its scavengerState is a global
// of tests/export_mgcscavenge_test.cpp, where the runtime's hooks (plain
// function pointers) find the running Scavenger: one runs at a time.
struct Scavenger {
  std::function<int64_t(int64_t)> Sleep;
  std::function<std::tuple<uintptr, int64_t>(uintptr)> Scavenge;
  std::function<bool()> ShouldStop;
  std::function<int32_t()> GoMaxProcs;

  void Start();
  bool BlockUntilParked(int64_t timeout);
  uintptr Released();
  void Wake();
  void Stop();

  std::atomic<uint64_t> released{0};
  scavengerState* scavenger = nullptr;
  gort::chan<gort::struct_> stop;
  gort::chan<gort::struct_> done;
};

// export_test.go:1798 at go1.22.12: a scavenge index of its own, not tied to
// a page allocator. Departure: Go makes its chunks slice (max entries, 275
// MB at BaseChunkIdx on amd64) from the garbage-collected heap, which hands
// out untouched zero pages; here it is an anonymous mapping of its own,
// untouched pages costing nothing either, and unmapped by the destructor.
struct ScavengeIndex {
  scavengeIndex i{};

  ScavengeIndex() = default;
  ScavengeIndex(const ScavengeIndex&) = delete;
  ~ScavengeIndex() {
    if (i.chunks.array != nullptr) munmap(i.chunks.array, uintptr(i.chunks.cap) * sizeof(atomicScavChunkData));
  }

  scavengeIndex::found Find(bool force) { return i.find(force); }
  void AllocRange(uintptr base, uintptr limit) {
    chunkIdx sc = chunkIndex(base), ec = chunkIndex(limit - 1);
    uint si = chunkPageIndex(base), ei = chunkPageIndex(limit - 1);
    if (sc == ec) {
      // Within one chunk.
      i.alloc(sc, ei + 1 - si);
    } else {
      // Across chunks.
      i.alloc(sc, pallocChunkPages - si);
      for (chunkIdx c = sc + 1; c < ec; c++) i.alloc(c, pallocChunkPages);
      i.alloc(ec, ei + 1);
    }
  }
  void FreeRange(uintptr base, uintptr limit) {
    chunkIdx sc = chunkIndex(base), ec = chunkIndex(limit - 1);
    uint si = chunkPageIndex(base), ei = chunkPageIndex(limit - 1);
    if (sc == ec) {
      i.free(sc, si, ei + 1 - si);
    } else {
      i.free(sc, si, pallocChunkPages - si);
      for (chunkIdx c = sc + 1; c < ec; c++) i.free(c, 0, pallocChunkPages);
      i.free(ec, 0, ei + 1);
    }
  }
  void ResetSearchAddrs() {
    for (atomicOffAddr* a : {&i.searchAddrBg, &i.searchAddrForce}) {
      auto [addr, marked] = a->Load();
      if (marked) a->StoreUnmark(addr, addr);
      a->Clear();
    }
    i.freeHWM = minOffAddr;
  }
  void NextGen() { i.nextGen(); }
  void SetEmpty(ChunkIdx ci) { i.setEmpty(ci); }
};

inline std::unique_ptr<ScavengeIndex> NewScavengeIndex(ChunkIdx min, ChunkIdx max) {
  auto s = std::make_unique<ScavengeIndex>();
  uintptr n = uintptr(max);
  void* mem = mmap(nullptr, n * sizeof(atomicScavChunkData), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw_("NewScavengeIndex: mmap failed");
  s->i.chunks = notInHeapSlice<atomicScavChunkData>{static_cast<atomicScavChunkData*>(mem), int(n), int(n)};
  s->i.min.Store(uintptr(min));
  s->i.max.Store(uintptr(max));
  s->i.minHeapIdx.Store(uintptr(min));
  s->i.test = true;
  return s;
}

// export_test.go:1881 at go1.22.12: pack and unpack give back the same data.
inline bool CheckPackScavChunkData(uint32 gen, uint16 inUse, uint16 lastInUse, uint8 flags) {
  scavChunkData sc0{};
  sc0.gen = gen;
  sc0.inUse = inUse;
  sc0.lastInUse = lastInUse;
  sc0.f = flags;
  uint64 scp = sc0.pack();
  scavChunkData sc1 = unpackScavChunkData(scp);
  return sc0 == sc1;
}

}  // namespace runtime

namespace gort_test {

// The helpers that Go's page-allocator tests share within package
// runtime_test, declared here and defined in the test file Go defines them
// in.

/// checkPallocBits reports (as a failed check) every range of bits where got
/// and want differ, and returns whether they agree (mpallocbits_test.go).
bool checkPallocBits(const runtime::PallocBits* got, const runtime::PallocBits* want);

/// makePallocBits: a bitmap with the ranges of s set (mpallocbits_test.go).
std::unique_ptr<runtime::PallocBits> makePallocBits(const std::vector<runtime::BitRange>& s);

/// checkPageAlloc fails the test unless got has want's bounds, bitmaps and
/// scavenged bitmaps (mpagealloc_test.go).
void checkPageAlloc(runtime::PageAlloc* want, runtime::PageAlloc* got);

/// hexs: v as Go's %#x prints it (0x...), for failure messages.
inline std::string hexs(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

/// The map type of Go's tables, map[ChunkIdx][]BitRange.
using ChunkMap = std::map<runtime::ChunkIdx, std::vector<runtime::BitRange>>;

/// pageAllocPtr: `b := NewPageAlloc(...); defer FreePageAlloc(b)`.
struct pageAllocDeleter {
  void operator()(runtime::PageAlloc* p) const { runtime::FreePageAlloc(p); }
};
using pageAllocPtr = std::unique_ptr<runtime::PageAlloc, pageAllocDeleter>;

}  // namespace gort_test
