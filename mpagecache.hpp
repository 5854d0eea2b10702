// mpagecache.hpp: the per-P page cache, mirroring mpagecache.go at
// go1.22.12 (functions in mpagecache.cpp). A pageCache owns one aligned
// block of 64 pages that the page allocator has marked in use; its P hands
// out the free ones among them without taking the heap lock, and gives the
// rest back (flush) when it is destroyed or the block is used up.
//
// Invariant [pcache-own]: the pages whose cache bits are 1 are marked in use
// in the page allocator, belong to this cache, and to nothing else; scav
// is a subset of cache (scavenged and still cached).
//
// Locks: a pageCache belongs to one P and is used only by the M holding
// that P (no lock, no atomics). allocToCache and flush take the heap lock's
// side: the page allocator's lock must be held.
//
// Include mpagealloc.hpp, not this file. runtime2.hpp includes it too, after
// the basic types, because the P embeds a pageCache (p.pcache).
#pragma once
#include "runtime2.hpp"

namespace runtime {

struct pageAlloc;

/// pageCache: a block of pageCachePages pages, some of them free for this
/// cache to hand out ([pcache-own]). \gosrc{mpagecache.go,pageCache}
struct pageCache {
  uintptr base;  // the block's first address
  uint64 cache;  // bit i: page i is free (and owned by the cache)
  uint64 scav;   // bit i: page i is scavenged

  bool empty() const;
  /// alloc's two results: the address (0: none) and the bytes of it that
  /// were scavenged.
  struct allocated {
    uintptr addr;
    uintptr scav;
  };
  allocated alloc(uintptr npages);
  allocated allocN(uintptr npages);
  SYSTEMSTACK void flush(pageAlloc* p);
};

/// pageCachePages: the pages one cache covers, one per bit of cache.
/// \gosrc{mpagecache.go,pageCachePages}
inline constexpr uintptr pageCachePages = 8 * sizeof(pageCache::cache);

}  // namespace runtime
