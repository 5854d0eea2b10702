// mpagecache.cpp: the per-P page cache, mirroring mpagecache.go at
// go1.22.12: allocation from a cache without the heap lock (alloc, allocN),
// and, under the heap lock, filling a cache from the page allocator
// (pageAlloc.allocToCache) and giving its free pages back (flush). The
// invariant is [pcache-own] (mpagecache.hpp).
#include "mpagealloc.hpp"

#include "internal/sys/intrinsics.hpp"
#include "lockrank_off.hpp"

namespace runtime {

/// empty: the cache has no free page. \gosrc{mpagecache.go,pageCache.empty}
bool pageCache::empty() const { return cache == 0; }

/// alloc: npages contiguous free pages from the cache: their address (0 if
/// the cache has no such run) and how many of their bytes were scavenged.
/// One page, the common case, is the lowest set bit.
/// \gosrc{mpagecache.go,pageCache.alloc}
pageCache::allocated pageCache::alloc(uintptr npages) {
  if (cache == 0) return {0, 0};
  if (npages == 1) {
    uintptr i = uintptr(sys::TrailingZeros64(cache));
    uint64 s = (scav >> i) & 1;
    cache &= ~(uint64(1) << i);  // now in use
    scav &= ~(uint64(1) << i);   // and no longer counted as scavenged
    return {base + i * pageSize, uintptr(s) * pageSize};
  }
  return allocN(npages);
}

/// allocN: alloc for several pages: the lowest run of npages set bits.
/// \gosrc{mpagecache.go,pageCache.allocN}
pageCache::allocated pageCache::allocN(uintptr npages) {
  uint i = findBitRange64(cache, uint(npages));
  if (i >= 64) return {0, 0};
  uint64 mask = (lsh64(1, uint(npages)) - 1) << i;
  int s = sys::OnesCount64(scav & mask);
  cache &= ~mask;  // now in use
  scav &= ~mask;   // and no longer counted as scavenged
  return {base + uintptr(i * pageSize), uintptr(s) * pageSize};
}

/// flush: give the cache's free pages back to p (with their scavenged
/// bits) and empty the cache. p's lock must be held; hence the system
/// stack. Rare, so it goes a bit at a time. \gosrc{mpagecache.go,pageCache.flush}
void pageCache::flush(pageAlloc* p) {
  systemstackcheck();
  assertLockHeld(p->mheapLock);

  if (empty()) return;
  chunkIdx ci = chunkIndex(base);
  uint pi = chunkPageIndex(base);

  for (uint i = 0; i < 64; i++) {
    if ((cache & (uint64(1) << i)) != 0) {
      p->chunkOf(ci)->free1(pi + i);

      // The index's occupancy counts.
      p->scav.index.free(ci, pi + i, 1);
    }
    if ((scav & (uint64(1) << i)) != 0) p->chunkOf(ci)->scavenged.setRange(pi + i, 1);
  }

  // Like free: pages below searchAddr are free now ([search-addr]).
  if (offAddr b{base}; b.lessThan(p->searchAddr)) p->searchAddr = b;
  p->update(base, pageCachePages, false, false);
  *this = pageCache{};
}

/// allocToCache: a cache holding the first aligned 64-page block that has a
/// free page; all the block's free pages pass to the cache, in use as far
/// as p knows. An empty cache if the heap has no free page. p's lock must
/// be held; hence the system stack. \gosrc{mpagecache.go,pageAlloc.allocToCache}
pageCache pageAlloc::allocToCache() {
  systemstackcheck();
  assertLockHeld(mheapLock);

  // A searchAddr beyond every chunk means the heap is full.
  if (chunkIndex(searchAddr.addr()) >= end) return pageCache{};
  pageCache c{};
  chunkIdx ci = chunkIndex(searchAddr.addr());
  pallocData* chunk;
  if (summary[summaryLevels - 1][ci] != 0) {
    // searchAddr's chunk has a free page: the search starts there.
    chunk = chunkOf(ci);
    auto [j, _] = chunk->find(1, chunkPageIndex(searchAddr.addr()));
    if (j == ~uint(0)) throw_("bad summary data");
    c = pageCache{
        chunkBase(ci) + alignDown(uintptr(j), 64) * pageSize,
        ~chunk->pages64(j),
        chunk->scavenged.block64(j),
    };
  } else {
    // Nothing free there: the radix tree finds the first free page.
    auto [addr, _] = find(1);
    if (addr == 0) {
      // No free page at all.
      searchAddr = maxSearchAddr();
      return pageCache{};
    }
    ci = chunkIndex(addr);
    chunk = chunkOf(ci);
    c = pageCache{
        alignDown(addr, 64 * pageSize),
        ~chunk->pages64(chunkPageIndex(addr)),
        chunk->scavenged.block64(chunkPageIndex(addr)),
    };
  }

  // Mark the cached pages in use and clear their scavenged bits, touching
  // no other bit of the block ([scav-free]).
  uint cpi = chunkPageIndex(c.base);
  chunk->allocPages64(cpi, c.cache);
  chunk->scavenged.clearBlock64(cpi, c.cache & c.scav /* free and scavenged */);

  // Update the summaries as for an allocation, a scattered one.
  update(c.base, pageCachePages, false, true);

  // The index's occupancy counts.
  scav.index.alloc(ci, uint(sys::OnesCount64(c.cache)));

  // Every page below the block's end is in use now, but searchAddr must stay
  // on mapped memory ([search-addr]), so it goes to the block's last page,
  // not past it.
  searchAddr = offAddr{c.base + pageSize * (pageCachePages - 1)};
  return c;
}

}  // namespace runtime
