// mpagealloc_64bit.cpp: the page allocator's memory on 64-bit systems,
// mirroring mpagealloc_64bit.go at go1.22.12 (its constants and level
// tables are in mpagealloc.hpp). Each summary level and the scavenge index
// are reserved whole at init, about 585 MiB and 512 MiB of address space
// for a 48-bit heap, and mapped piecemeal as the heap grows: the summaries
// only around the heap's ranges, the index from the lowest chunk to the
// highest ([mapped], [scav-bounds]).
#include "mpagealloc.hpp"

#include "mem.hpp"
#include "print.hpp"

namespace runtime {

/// sysInit: reserve the address space of every summary level (mapped later
/// by sysGrow); each level's slice starts with len 0.
/// \gosrc{mpagealloc_64bit.go,pageAlloc.sysInit}
void pageAlloc::sysInit(bool test) {
  (void)test;
  for (uintptr l = 0; l < summaryLevels; l++) {
    uint shift = levelShift[l];
    int entries = 1 << (heapAddrBits - shift);

    // Anywhere in the address space.
    uintptr b = alignUp(uintptr(entries) * pallocSumBytes, physPageSize);
    void* r = sysReserve(nullptr, b);
    if (r == nullptr) throw_("failed to reserve page summary memory");

    summary[l] = notInHeapSlice<pallocSum>{static_cast<pallocSum*>(r), 0, entries};
  }
}

/// sysGrow: map the summary memory that the new heap range [base, limit)
/// (whole chunks) needs at each level, and extend each level's len to cover
/// it. Pages of summary memory already mapped for a neighbouring range are
/// left alone (they hold live summaries). The caller updates start and end.
/// \gosrc{mpagealloc_64bit.go,pageAlloc.sysGrow}
void pageAlloc::sysGrow(uintptr base, uintptr limit) {
  if (base % pallocChunkBytes != 0 || limit % pallocChunkBytes != 0) {
    print("runtime: base = ", hex(base), ", limit = ", hex(limit), "\n");
    throw_("sysGrow bounds not aligned to pallocChunkBytes");
  }

  // The entries of a level that must be mapped for the addresses r: the
  // summaries covering r, widened to whole blocks (find reads whole blocks).
  auto addrRangeToSummaryRange = [](int level, addrRange r) {
    auto [sumIdxBase, sumIdxLimit] = addrsToSummaryRange(level, r.base.addr(), r.limit.addr());
    return blockAlignSummaryRange(level, sumIdxBase, sumIdxLimit);
  };

  // The page-aligned addresses that hold the entries [sumIdxBase,
  // sumIdxLimit) of a level.
  auto summaryRangeToSumAddrRange = [this](int level, int sumIdxBase, int sumIdxLimit) {
    uintptr baseOffset = alignDown(uintptr(sumIdxBase) * pallocSumBytes, physPageSize);
    uintptr limitOffset = alignUp(uintptr(sumIdxLimit) * pallocSumBytes, physPageSize);
    uintptr b = uintptr(summary[level].array);
    return addrRange{offAddr{b + baseOffset}, offAddr{b + limitOffset}};
  };

  // Both at once: the summary memory of a level that the addresses r need.
  auto addrRangeToSumAddrRange = [&](int level, addrRange r) {
    auto [sumIdxBase, sumIdxLimit] = addrRangeToSummaryRange(level, r);
    return summaryRangeToSumAddrRange(level, sumIdxBase, sumIdxLimit);
  };

  // Where [base, limit) goes among inUse's ranges (it overlaps none); the
  // ranges on either side may already have mapped some of the pages it
  // needs.
  int inUseIndex = inUse.findSucc(base);

  // Every level, top to bottom.
  for (int l = 0; l < int(summaryLevels); l++) {
    auto [needIdxBase, needIdxLimit] = addrRangeToSummaryRange(l, makeAddrRange(base, limit));

    // Extend len to the new highest entry, mapped or not, so the bound
    // stays tight.
    if (needIdxLimit > summary[l].len) {
      if (needIdxLimit > summary[l].cap) throw_("slice bounds out of range");
      summary[l].len = needIdxLimit;
    }

    // The summary memory the new range needs at this level...
    addrRange need = summaryRangeToSumAddrRange(l, needIdxBase, needIdxLimit);

    // ...less what the neighbouring ranges have already mapped (shared
    // pages at the edges). Nothing is ever mapped twice, so what remains is
    // one piece.
    if (inUseIndex > 0) need = need.subtract(addrRangeToSumAddrRange(l, inUse.ranges[inUseIndex - 1]));
    if (inUseIndex < inUse.len) need = need.subtract(addrRangeToSumAddrRange(l, inUse.ranges[inUseIndex]));
    // Perhaps nothing is left.
    if (need.size() == 0) continue;

    // Map it, and make it Ready.
    sysMap(reinterpret_cast<void*>(need.base.addr()), need.size(), sysStat);
    sysUsed(reinterpret_cast<void*>(need.base.addr()), need.size(), need.size());
    summaryMappedReady += need.size();
  }

  // The scavenge index's entries.
  summaryMappedReady += scav.index.sysGrow(base, limit, sysStat);
}

/// sysGrow: map the index entries for the new heap range [base, limit)
/// (whole chunks). The mapped part stays one interval, from the lowest
/// chunk to the highest ever grown (a few MiB at worst for a scattered
/// heap), and min and max are widened only after the memory is mapped
/// ([scav-bounds]). Returns the bytes newly mapped (counted in sysStat).
/// \gosrc{mpagealloc_64bit.go,scavengeIndex.sysGrow}
uintptr scavengeIndex::sysGrow(uintptr base, uintptr limit, sysMemStat* sysStat) {
  if (base % pallocChunkBytes != 0 || limit % pallocChunkBytes != 0) {
    print("runtime: base = ", hex(base), ", limit = ", hex(limit), "\n");
    throw_("sysGrow bounds not aligned to pallocChunkBytes");
  }
  constexpr uintptr scSize = sizeof(atomicScavChunkData);
  // The reservation starts on a page, so aligning the indices to a page's
  // worth of entries aligns the memory.
  uintptr haveMin = min.Load();
  uintptr haveMax = max.Load();
  uintptr needMin = alignDown(uintptr(chunkIndex(base)), physPageSize / scSize);
  uintptr needMax = alignUp(uintptr(chunkIndex(limit)), physPageSize / scSize);

  // Keep one interval: fill any gap to what is mapped.
  if (needMax < haveMin) needMax = haveMin;
  if (haveMax != 0 && needMin > haveMax) needMin = haveMax;

  // (Addresses, not &chunks[i]: i may be one past the end.)
  uintptr chunksBase = uintptr(chunks.array);
  addrRange have = makeAddrRange(chunksBase + haveMin * scSize, chunksBase + haveMax * scSize);
  addrRange need = makeAddrRange(chunksBase + needMin * scSize, chunksBase + needMax * scSize);

  // Mapping over live entries would zero them.
  need = need.subtract(have);

  if (need.size() != 0) {
    sysMap(reinterpret_cast<void*>(need.base.addr()), need.size(), sysStat);
    sysUsed(reinterpret_cast<void*>(need.base.addr()), need.size(), need.size());
    // Only now that the memory is there ([scav-bounds]).
    if (haveMax == 0 || needMin < haveMin) min.Store(needMin);
    if (needMax > haveMax) max.Store(needMax);
  }
  return need.size();
}

/// sysInit: reserve the index for every chunk of the address space. Returns
/// 0: nothing is mapped yet. \gosrc{mpagealloc_64bit.go,scavengeIndex.sysInit}
uintptr scavengeIndex::sysInit(bool test, sysMemStat* sysStat) {
  (void)test;
  (void)sysStat;
  uintptr n = (uintptr(1) << heapAddrBits) / pallocChunkBytes;
  uintptr nbytes = n * sizeof(atomicScavChunkData);
  void* r = sysReserve(nullptr, nbytes);
  chunks = notInHeapSlice<atomicScavChunkData>{static_cast<atomicScavChunkData*>(r), int(n), int(n)};
  return 0;  // reserved only
}

}  // namespace runtime
