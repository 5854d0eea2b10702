// mpagealloc.cpp: the page allocator, mirroring mpagealloc.go at go1.22.12:
// pageAlloc's init, grow, update (the radix tree's maintenance), allocRange,
// find (the radix tree's search), alloc and free, and mergeSummaries. The
// structure, invariants and locking are described in mpagealloc.hpp.
#include "mpagealloc.hpp"

#include <algorithm>

#include "lockrank_off.hpp"
#include "mem.hpp"
#include "mheap.hpp"
#include "print.hpp"

namespace runtime {

/// init: an empty allocator, its summary levels and scavenge index reserved
/// (not mapped) and searchAddr at "full". mheapLock is the lock that will
/// protect it; metadata memory is counted in sysStat. A test allocator
/// (test) only ever gets fictitious addresses: its heap memory is never
/// touched or returned to the OS. \gosrc{mpagealloc.go,pageAlloc.init}
void pageAlloc::init(mutex* mheapLock, sysMemStat* sysStat, bool test) {
  if (levelLogPages[0] > logMaxPackedValue) {
    // The root level's 2^levelLogPages[0] pages must fit in a summary.
    print("runtime: root level max pages = ", uintptr(1) << levelLogPages[0], "\n");
    print("runtime: summary max pages = ", maxPackedValue, "\n");
    throw_("root level max pages doesn't fit in summary");
  }
  this->sysStat = sysStat;

  inUse.init(sysStat);

  // The layout-dependent part (mpagealloc_64bit.cpp).
  sysInit(test);

  // No free memory yet.
  searchAddr = maxSearchAddr();

  this->mheapLock = mheapLock;

  summaryMappedReady += scav.index.init(test, sysStat);

  this->test = test;
}

/// grow: take the address range [base, base+size) into the allocator, all
/// free and all scavenged (new memory holds no physical pages). The range is
/// widened to whole chunks. Maps the summaries, index entries and bitmap
/// blocks it needs, counted in sysStat. mheapLock must be held.
/// \gosrc{mpagealloc.go,pageAlloc.grow}
void pageAlloc::grow(uintptr base, uintptr size) {
  assertLockHeld(mheapLock);

  // Whole chunks: the bitmaps and sysGrow work in chunks.
  uintptr limit = alignUp(base + size, pallocChunkBytes);
  base = alignDown(base, pallocChunkBytes);

  // The summaries (mpagealloc_64bit.cpp).
  sysGrow(base, limit);

  // The scavenge index.
  summaryMappedReady += scav.index.grow(base, limit, sysStat);

  // start == 0 means no growth yet: chunk 0 (the top of the address space's
  // lower half, or the zero page) is never heap.
  bool firstGrowth = start == 0;
  chunkIdx s = chunkIndex(base), e = chunkIndex(limit);
  if (firstGrowth || s < start) start = s;
  if (e > end) end = e;
  // grow is only ever given address space it has never had, so the new
  // range overlaps nothing in inUse.
  inUse.add(makeAddrRange(base, limit));

  // Like a free: free pages below searchAddr move it down ([search-addr]).
  if (offAddr b{base}; b.lessThan(searchAddr)) searchAddr = b;

  // Map the bitmap blocks the new chunks need and mark every page scavenged.
  for (chunkIdx c = chunkIndex(base); c < chunkIndex(limit); c++) {
    if (chunks[c.l1()] == nullptr) {
      // The chunk's second-level block.
      constexpr uintptr l2Size = sizeof(*chunks[0]);
      void* r = sysAlloc(l2Size, sysStat);
      if (r == nullptr) throw_("pageAlloc: out of memory");
      if (!test) {
        // Back the block with huge pages or not, as currently chosen.
        if (chunkHugePages) {
          sysHugePage(r, l2Size);
        } else {
          sysNoHugePage(r, l2Size);
        }
      }
      // Go stores the pointer as a uintptr to avoid a write barrier (grow
      // runs where none is allowed); the port has no barrier on this store.
      chunks[c.l1()] = static_cast<pallocDataL2*>(r);
    }
    chunkOf(c)->scavenged.setRange(0, pallocChunkPages);
  }

  // The new pages are free: make the summaries say so ([sum-leaf]).
  update(base, size / pageSize, true, false);
}

/// enableChunkHugePages: from now on, back the bitmap blocks with huge pages,
/// and advise the existing ones so. Idempotent. Takes the heap lock briefly
/// (so it must not be held), then works on a copy of inUse; its time grows
/// with the heap only beyond tens of GiB.
/// \gosrc{mpagealloc.go,pageAlloc.enableChunkHugePages}
///
/// Departure: where Go clones inUse under the lock but then walks p.inUse
/// without it, the port walks the clone: the walk is the clone's purpose,
/// and reading p.inUse unlocked would be a data race in C++.
void pageAlloc::enableChunkHugePages() {
  systemstackcheck();
  // Turn the flag on and copy the heap's ranges under the lock; any chunk
  // grown after this gets huge pages from grow.
  lock(&mheap_.lock);
  if (chunkHugePages) {
    unlock(&mheap_.lock);
    return;
  }
  chunkHugePages = true;
  addrRanges inUse{};
  inUse.sysStat = sysStat;
  this->inUse.cloneInto(&inUse);
  unlock(&mheap_.lock);

  // For a contiguous heap of a few GiB this is one sysHugePage.
  for (int k = 0; k < inUse.len; k++) {
    addrRange r = inUse.ranges[k];
    for (uint i = chunkIndex(r.base.addr()).l1(); i < chunkIndex(r.limit.addr() - 1).l1(); i++) {
      // inUse never shrinks, so every block it covers is mapped.
      sysHugePage(chunks[i], sizeof(*chunks[0]));
    }
  }
}

/// update: bring the summaries up to date after the bitmaps of the pages
/// [base, base+npages*pageSize) changed ([sum-leaf], [sum-merge]). contig
/// says the change was one contiguous allocation (alloc) or free (!alloc),
/// which lets the chunks strictly inside the range take a fixed summary
/// instead of being summarised. Walks up the tree while summaries change.
/// mheapLock must be held. \gosrc{mpagealloc.go,pageAlloc.update}
void pageAlloc::update(uintptr base, uintptr npages, bool contig, bool alloc) {
  assertLockHeld(mheapLock);

  // Inclusive bounds.
  uintptr limit = base + npages * pageSize - 1;
  chunkIdx sc = chunkIndex(base), ec = chunkIndex(limit);

  // The leaves first.
  notInHeapSlice<pallocSum>& leaves = summary[summaryLevels - 1];
  if (sc == ec) {
    // One chunk: if its summary is unchanged, nothing above changes either.
    pallocSum x = leaves[sc];
    pallocSum y = chunkOf(sc)->summarize();
    if (x == y) return;
    leaves[sc] = y;
  } else if (contig) {
    // Several chunks, changed contiguously: the inner ones are now wholly
    // in use or wholly free.
    leaves[sc] = chunkOf(sc)->summarize();
    for (chunkIdx c = sc + 1; c < ec; c++) leaves[c] = alloc ? pallocSum(0) : freeChunkSum;
    leaves[ec] = chunkOf(ec)->summarize();
  } else {
    // Several chunks, changed anyhow: summarise each.
    for (chunkIdx c = sc; c <= ec; c++) leaves[c] = chunkOf(c)->summarize();
  }

  // Up the tree, level by level, while something changed.
  bool changed = true;
  for (int l = int(summaryLevels) - 2; l >= 0 && changed; l--) {
    changed = false;

    // The level below: its block width and the pages each entry covers.
    uint logEntriesPerBlock = levelBits[l + 1];
    uint logMaxPages = levelLogPages[l + 1];

    // The entries of level l that cover the change.
    auto [lo, hi] = addrsToSummaryRange(l, base, limit + 1);

    // Each is the merge of its block of children.
    for (int i = lo; i < hi; i++) {
      int first = i << logEntriesPerBlock;
      int n = 1 << logEntriesPerBlock;
      (void)summary[l + 1][first + n - 1];  // Go's slice bounds check
      pallocSum sum = mergeSummaries(&summary[l + 1][first], n, logMaxPages);
      pallocSum old = summary[l][i];
      if (old != sum) {
        changed = true;
        summary[l][i] = sum;
      }
    }
  }
}

/// allocRange: mark the pages [base, base+npages*pageSize) in use in the
/// bitmaps, the scavenge index and the summaries; returns how many of their
/// bytes were scavenged (allocRange clears those bits, [scav-free]).
/// mheapLock must be held. \gosrc{mpagealloc.go,pageAlloc.allocRange}
uintptr pageAlloc::allocRange(uintptr base, uintptr npages) {
  assertLockHeld(mheapLock);

  uintptr limit = base + npages * pageSize - 1;
  chunkIdx sc = chunkIndex(base), ec = chunkIndex(limit);
  uint si = chunkPageIndex(base), ei = chunkPageIndex(limit);

  uint scv = 0;
  if (sc == ec) {
    // Within one chunk.
    pallocData* chunk = chunkOf(sc);
    scv += chunk->scavenged.popcntRange(si, ei + 1 - si);
    chunk->allocRange(si, ei + 1 - si);
    scav.index.alloc(sc, ei + 1 - si);
  } else {
    // Across chunks: the first chunk's tail, whole chunks, the last's head.
    pallocData* chunk = chunkOf(sc);
    scv += chunk->scavenged.popcntRange(si, pallocChunkPages - si);
    chunk->allocRange(si, pallocChunkPages - si);
    scav.index.alloc(sc, pallocChunkPages - si);
    for (chunkIdx c = sc + 1; c < ec; c++) {
      pallocData* chunk = chunkOf(c);
      scv += chunk->scavenged.popcntRange(0, pallocChunkPages);
      chunk->allocAll();
      scav.index.alloc(c, pallocChunkPages);
    }
    chunk = chunkOf(ec);
    scv += chunk->scavenged.popcntRange(0, ei + 1);
    chunk->allocRange(0, ei + 1);
    scav.index.alloc(ec, ei + 1);
  }
  update(base, npages, true, true);
  return uintptr(scv) * pageSize;
}

/// findMappedAddr: the lowest address in inUse that is >= addr (addr itself
/// if it is in inUse), or maxOffAddr if there is none. Outside tests, an
/// addr whose arena is in mheap_.arenas is mapped, which answers at once;
/// otherwise the inUse search does. mheapLock must be held.
/// \gosrc{mpagealloc.go,pageAlloc.findMappedAddr}
offAddr pageAlloc::findMappedAddr(offAddr addr) {
  assertLockHeld(mheapLock);

  arenaIdx ai = arenaIndex(addr.addr());
  if (test || mheap_.arenas[ai.l1()].load() == nullptr ||
      (*mheap_.arenas[ai.l1()].load())[ai.l2()].load() == nullptr) {
    auto [vAddr, ok] = inUse.findAddrGreaterEqual(addr.addr());
    if (ok) return offAddr{vAddr};
    // addr is above every known address: no free memory there.
    return maxOffAddr;
  }
  return addr;
}

/// find: the first (lowest) run of npages free pages: its address (0 if
/// none), and a new candidate for searchAddr, which is always valid.
/// Chunks below searchAddr's are assumed full ([search-addr]).
///
/// The search goes down the tree from the root. At each level it scans the
/// block of entries under the entry chosen above, keeping a run of free
/// pages that may straddle entries (an entry's end, whole free entries, the
/// next entry's start). A long enough run ends the search there; an entry
/// whose max alone is enough is descended into. Past the leaves, the chunk's
/// bitmap gives the exact place. On the way it narrows firstFree, the window
/// where the heap's first free page must be, to yield the new searchAddr.
/// mheapLock must be held. \gosrc{mpagealloc.go,pageAlloc.find}
pageAlloc::foundPages pageAlloc::find(uintptr npages) {
  assertLockHeld(mheapLock);

  // (A run could in principle straddle the arenaBaseOffset discontinuity;
  // it cannot in practice, as the OS never maps the zero page.)

  // The first entry of the block being scanned at the current level.
  int i = 0;

  // The window, inclusive at both ends, known to hold the first free page.
  struct {
    offAddr base, bound;
  } firstFree{minOffAddr, maxOffAddr};
  // foundFree narrows the window to [addr, addr+size) if that lies inside
  // it. A range wholly outside is ignored (a later entry at this level); one
  // that straddles its edge means the tree is corrupt.
  auto foundFree = [&firstFree](offAddr addr, uintptr size) {
    if (firstFree.base.lessEqual(addr) && addr.add(size - 1).lessEqual(firstFree.bound)) {
      firstFree.base = addr;
      firstFree.bound = addr.add(size - 1);
    } else if (!(addr.add(size - 1).lessThan(firstFree.base) || firstFree.bound.lessThan(addr))) {
      print("runtime: addr = ", hex(addr.addr()), ", size = ", size, "\n");
      print("runtime: base = ", hex(firstFree.base.addr()), ", bound = ", hex(firstFree.bound.addr()), "\n");
      throw_("range partially overlaps");
    }
  };

  // The summary that led into the current level, for the error report.
  pallocSum lastSum = packPallocSum(0, 0, 0);
  int lastSumIdx = -1;

  for (int l = 0; l < int(summaryLevels); l++) {  // Go: nextLevel
    // At the root, the block is the whole level.
    int entriesPerBlock = 1 << levelBits[l];
    uint logMaxPages = levelLogPages[l];

    // The block under the chosen entry (a no-op at the root).
    i <<= levelBits[l];

    // The block's entries are summary[l][i, i+entriesPerBlock).
    (void)summary[l][i + entriesPerBlock - 1];  // Go's slice bounds check
    pallocSum* entries = &summary[l][i];

    // If searchAddr lies in this block, the entries below it are full.
    int j0 = 0;
    if (int searchIdx = offAddrToLevelIndex(l, searchAddr); (searchIdx & ~(entriesPerBlock - 1)) == i) {
      j0 = searchIdx & (entriesPerBlock - 1);
    }

    // A run of free pages across entries: base is its first page (counted
    // from the block's first page) and size its length.
    uint base = 0, size = 0;
    bool descend = false;
    for (int j = j0; j < entriesPerBlock; j++) {
      pallocSum sum = entries[j];
      if (sum == 0) {
        // A full entry ends any run.
        size = 0;
        continue;
      }

      // Free memory here: the first free page is in this entry or before.
      foundFree(levelIndexToOffAddr(l, i + j), (uintptr(1) << logMaxPages) * pageSize);

      uint s = sum.start();
      if (size + s >= uint(npages)) {
        // The run, extended into this entry, is long enough. With no run
        // yet, it starts at this entry.
        if (size == 0) base = uint(j) << logMaxPages;
        size += s;
        break;
      }
      if (sum.max() >= uint(npages)) {
        // This entry alone holds a long enough run: go down into it.
        i += j;
        lastSumIdx = i;
        lastSum = sum;
        descend = true;
        break;
      }
      if (size == 0 || s < (uint(1) << logMaxPages)) {
        // No run so far, or this entry is not wholly free: a new run starts
        // with the free pages at this entry's end.
        size = sum.end();
        base = (uint(j + 1) << logMaxPages) - size;
        continue;
      }
      // A wholly free entry extends the run.
      size += uint(1) << logMaxPages;
    }
    if (descend) continue;  // Go: continue nextLevel
    if (size >= uint(npages)) {
      // A long enough run across entries: it starts at base.
      uintptr addr = levelIndexToOffAddr(l, i).add(uintptr(base) * pageSize).addr();
      return {addr, findMappedAddr(firstFree.base)};
    }
    if (l == 0) {
      // The root level has nothing long enough: the heap has no such run.
      return {0, maxSearchAddr()};
    }

    // Below the root, the entry above promised a run (its max) that this
    // level does not have: the tree is corrupt.
    print("runtime: summary[", l - 1, "][", lastSumIdx, "] = ", lastSum.start(), ", ", lastSum.max(), ", ",
          lastSum.end(), "\n");
    print("runtime: level = ", l, ", npages = ", npages, ", j0 = ", j0, "\n");
    print("runtime: p.searchAddr = ", hex(searchAddr.addr()), ", i = ", i, "\n");
    print("runtime: levelShift[level] = ", levelShift[l], ", levelBits[level] = ", levelBits[l], "\n");
    for (int j = 0; j < entriesPerBlock; j++) {
      pallocSum sum = entries[j];
      print("runtime: summary[", l, "][", i + j, "] = (", sum.start(), ", ", sum.max(), ", ", sum.end(), ")\n");
    }
    throw_("bad summary data");
  }

  // Every level descended: the leaf entry i (a chunk) has a long enough run
  // inside it, and its bitmap says where.
  chunkIdx ci = chunkIdx(uint(i));
  auto [j, searchIdx] = chunkOf(ci)->find(npages, 0);
  if (j == ~uint(0)) {
    // The summary promised a run the bitmap does not have.
    pallocSum sum = summary[summaryLevels - 1][i];
    print("runtime: summary[", summaryLevels - 1, "][", i, "] = (", sum.start(), ", ", sum.max(), ", ", sum.end(),
          ")\n");
    print("runtime: npages = ", npages, "\n");
    throw_("bad summary data");
  }

  uintptr addr = chunkBase(ci) + uintptr(j) * pageSize;

  // The bitmap search found the chunk's first free page: perhaps a narrower
  // window.
  uintptr sa = chunkBase(ci) + uintptr(searchIdx) * pageSize;
  foundFree(offAddr{sa}, chunkBase(ci + 1) - sa);
  return {addr, findMappedAddr(firstFree.base)};
}

/// alloc: npages contiguous free pages, marked in use: their address (0 if
/// the heap has no such run) and how many of their bytes were scavenged.
/// First it tries searchAddr's chunk directly, then the full search.
/// mheapLock must be held; hence the system stack.
/// \gosrc{mpagealloc.go,pageAlloc.alloc}
pageAlloc::allocated pageAlloc::alloc(uintptr npages) {
  systemstackcheck();
  assertLockHeld(mheapLock);

  // searchAddr beyond every chunk: the heap is full.
  if (chunkIndex(searchAddr.addr()) >= end) return {0, 0};

  uintptr addr = 0;
  offAddr newSearchAddr = minOffAddr;
  bool found = false;
  // If the run can fit in the rest of searchAddr's chunk, look there first.
  if (pallocChunkPages - chunkPageIndex(searchAddr.addr()) >= uint(npages)) {
    // Here npages <= pallocChunkPages.
    chunkIdx i = chunkIndex(searchAddr.addr());
    if (uint max = summary[summaryLevels - 1][i].max(); max >= uint(npages)) {
      auto [j, searchIdx] = chunkOf(i)->find(npages, chunkPageIndex(searchAddr.addr()));
      if (j == ~uint(0)) {
        print("runtime: max = ", max, ", npages = ", npages, "\n");
        print("runtime: searchIdx = ", chunkPageIndex(searchAddr.addr()), ", p.searchAddr = ",
              hex(searchAddr.addr()), "\n");
        throw_("bad summary data");
      }
      addr = chunkBase(i) + uintptr(j) * pageSize;
      newSearchAddr = offAddr{chunkBase(i) + uintptr(searchIdx) * pageSize};
      found = true;  // Go: goto Found
    }
  }
  if (!found) {
    // The full search.
    auto r = find(npages);
    addr = r.addr;
    newSearchAddr = r.searchAddr;
    if (addr == 0) {
      if (npages == 1) {
        // Not one free page: the heap is full. (A failure for more pages
        // may only mean no run is long enough.)
        searchAddr = maxSearchAddr();
      }
      return {0, 0};
    }
  }
  // Found:
  uintptr scv = allocRange(addr, npages);

  // Everything below the new candidate is in use: move searchAddr up.
  if (searchAddr.lessThan(newSearchAddr)) searchAddr = newSearchAddr;
  return {addr, scv};
}

/// free: mark the npages pages at base free. A single page is cleared
/// directly; a longer run may span chunks. mheapLock must be held; hence the
/// system stack. \gosrc{mpagealloc.go,pageAlloc.free}
void pageAlloc::free(uintptr base, uintptr npages) {
  systemstackcheck();
  assertLockHeld(mheapLock);

  // Free pages below searchAddr move it down ([search-addr]).
  if (offAddr b{base}; b.lessThan(searchAddr)) searchAddr = b;
  uintptr limit = base + npages * pageSize - 1;
  if (npages == 1) {
    // One bit, whose place is known.
    chunkIdx i = chunkIndex(base);
    uint pi = chunkPageIndex(base);
    chunkOf(i)->free1(pi);
    scav.index.free(i, pi, 1);
  } else {
    chunkIdx sc = chunkIndex(base), ec = chunkIndex(limit);
    uint si = chunkPageIndex(base), ei = chunkPageIndex(limit);

    if (sc == ec) {
      // Within one chunk.
      chunkOf(sc)->free(si, ei + 1 - si);
      scav.index.free(sc, si, ei + 1 - si);
    } else {
      // Across chunks.
      chunkOf(sc)->free(si, pallocChunkPages - si);
      scav.index.free(sc, si, pallocChunkPages - si);
      for (chunkIdx c = sc + 1; c < ec; c++) {
        chunkOf(c)->freeAll();
        scav.index.free(c, 0, pallocChunkPages);
      }
      chunkOf(ec)->free(0, ei + 1);
      scav.index.free(ec, 0, ei + 1);
    }
  }
  update(base, npages, true, false);
}

/// mergeSummaries: the summary of n consecutive regions, each of at most
/// 2^logMaxPagesPerSum pages, given theirs. Start grows only while the
/// regions so far are wholly free; max is the best of the running max, the
/// run across each boundary (end + next start), and each region's max; end
/// grows through wholly free regions and restarts at any other.
/// \gosrc{mpagealloc.go,mergeSummaries}
///
/// Departure: Go passes a slice; here a pointer and a count.
pallocSum mergeSummaries(const pallocSum* sums, int n, uint logMaxPagesPerSum) {
  auto [start, most, end] = sums[0].unpack();
  for (int i = 1; i < n; i++) {
    auto [si, mi, ei] = sums[i].unpack();

    // sums[i].start extends the start only if everything so far is free.
    if (start == uint(i) << logMaxPagesPerSum) start += si;

    // The longest run: the one so far, the one across the boundary, or
    // sums[i]'s own.
    most = std::max({most, end + si, mi});

    // A wholly free sums[i] extends the end; otherwise its end is the end.
    if (ei == uint(1) << logMaxPagesPerSum) {
      end += uint(1) << logMaxPagesPerSum;
    } else {
      end = ei;
    }
  }
  return packPallocSum(start, most, end);
}

}  // namespace runtime
