// mfixalloc.hpp: the fixed-size object allocator, mirroring mfixalloc.go at
// go1.22.12 (functions in mfixalloc.cpp). The heap keeps its own metadata
// in fixallocs: mspan (mheap_.spanalloc), mcache (mheap_.cachealloc) and
// arenaHint (mheap_.arenaHintAlloc); Go adds the specials (finalizers,
// profiles), which come with the collector and the profiler.
//
// A fixalloc carves objects of one size from 16 KiB chunks it takes from
// persistentalloc, and keeps freed objects on a free list threaded through
// their first word. Memory never goes back to the OS.
//
// Invariants:
//   [fix-inuse]  inuse is the bytes of objects handed out and not freed
//                (MemStats.MSpanInuse and MCacheInuse read it).
//   [fix-zero]   with zero set, alloc returns zeroed memory: fresh chunk
//                memory is zero (persistentalloc), reused objects are
//                cleared. mheap_.spanalloc clears zero, so that a reused
//                mspan keeps its fields (Go keeps sweepgen valid that way).
//
// Locks: none of its own. The caller serialises every call: mheap_.lock
// for spanalloc, cachealloc and arenaHintAlloc.
#pragma once
#include "mstats.hpp"
#include "runtime2.hpp"

namespace runtime {

/// mlink: the free list's link, in a free object's first word.
/// \gosrc{mfixalloc.go,mlink}
struct mlink : sys::NotInHeap {
  mlink* next;
};

/// fixalloc: a free-list allocator of objects of one size.
/// \gosrc{mfixalloc.go,fixalloc}
struct fixalloc {
  uintptr size;
  void (*first)(void* arg, void* p);  // called on each object's first hand-out
  void* arg;
  mlink* list;
  uintptr chunk;  // the rest of the current chunk
  uint32 nchunk;  // its bytes
  uint32 nalloc;  // the size of a new chunk (a multiple of size)
  uintptr inuse;  // [fix-inuse]
  sysMemStat* stat;
  bool zero;      // [fix-zero]

  void init(uintptr size, void (*first)(void* arg, void* p), void* arg, sysMemStat* stat);
  void* alloc();
  void free(void* p);
};

}  // namespace runtime
