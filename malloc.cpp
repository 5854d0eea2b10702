// malloc.cpp: the allocator's entry points, mirroring malloc.go at
// go1.22.12. So far only its last part: persistentalloc, the bump allocator
// for runtime metadata that lives as long as the process (the page
// allocator's range arrays, later the span and cache structures). mallocinit,
// mallocgc and the rest of malloc.go come with mheap.
//
// Locks: globalAlloc.mutex protects globalAlloc's chunk and offset, and is
// taken on g0 only (persistentalloc1 is SYSTEMSTACK) with nothing else held
// that persistentalloc could need. persistentChunks is pushed with CAS and
// never popped, so readers (inPersistentAlloc) need no lock.
#include "malloc.hpp"

#include "mem.hpp"
#include "proc.hpp"

namespace runtime {

/// globalAlloc: the persistentAlloc of callers without a P, and its lock.
/// \gosrc{malloc.go,globalAlloc}
static struct {
  mutex mutex_;  // Departure: Go embeds the mutex (field named mutex)
  persistentAlloc persistentAlloc_;
} globalAlloc;

/// persistentChunks: every chunk persistentalloc has mapped, linked through
/// each chunk's first word. \gosrc{malloc.go,persistentChunks}
static notInHeap* persistentChunks;

/// persistentalloc: size bytes of zeroed memory, aligned to align (8 if 0),
/// that are never freed, counted in sysStat. On the system stack, because
/// growing a goroutine stack may itself call it. \gosrc{malloc.go,persistentalloc}
void* persistentalloc(uintptr size, uintptr align, sysMemStat* sysStat) {
  notInHeap* p;
  systemstack([&] { p = persistentalloc1(size, align, sysStat); });
  return p;
}

/// persistentalloc1: persistentalloc's body. A block of 64 KiB or more is a
/// sysAlloc of its own; smaller ones are cut from a 256 KiB chunk.
/// \gosrc{malloc.go,persistentalloc1}
///
/// Departure: Go cuts from the current P's own persistentAlloc (p.palloc)
/// without a lock and uses globalAlloc only without a P. The port's p has
/// no palloc yet (runtime2.hpp belongs to the scheduler's work), so every
/// caller takes globalAlloc's lock; the memory handed out is the same.
notInHeap* persistentalloc1(uintptr size, uintptr align, sysMemStat* sysStat) {
  systemstackcheck();
  constexpr uintptr maxBlock = 64 << 10;  // Windows' reservation granularity

  if (size == 0) throw_("persistentalloc: size == 0");
  if (align != 0) {
    if ((align & (align - 1)) != 0) throw_("persistentalloc: align is not a power of 2");
    if (align > _PageSize) throw_("persistentalloc: align is too large");
  } else {
    align = 8;
  }

  if (size >= maxBlock) return static_cast<notInHeap*>(sysAlloc(size, sysStat));

  m* mp = acquirem();
  persistentAlloc* persistent;
  lock(&globalAlloc.mutex_);
  persistent = &globalAlloc.persistentAlloc_;
  persistent->off = alignUp(persistent->off, align);
  if (persistent->off + size > persistentChunkSize || persistent->base == nullptr) {
    persistent->base = static_cast<notInHeap*>(sysAlloc(persistentChunkSize, &memstats.other_sys));
    if (persistent->base == nullptr) {
      if (persistent == &globalAlloc.persistentAlloc_) unlock(&globalAlloc.mutex_);
      throw_("runtime: cannot allocate memory");
    }

    // Push the chunk on persistentChunks.
    for (;;) {
      uintptr chunks = uintptr(atomic::Load(&persistentChunks));
      *reinterpret_cast<uintptr*>(persistent->base) = chunks;
      if (atomic::Cas(reinterpret_cast<uintptr*>(&persistentChunks), chunks,
                      uintptr(persistent->base))) {
        break;
      }
    }
    persistent->off = alignUp(sizeof(uintptr), align);
  }
  notInHeap* p = persistent->base->add(persistent->off);
  persistent->off += size;
  releasem(mp);
  if (persistent == &globalAlloc.persistentAlloc_) unlock(&globalAlloc.mutex_);

  if (sysStat != &memstats.other_sys) {
    sysStat->add(int64(size));
    memstats.other_sys.add(-int64(size));
  }
  return p;
}

/// inPersistentAlloc: whether p is in memory persistentalloc handed out
/// from a chunk. NOSPLIT: the write barrier's checks may call it.
/// \gosrc{malloc.go,inPersistentAlloc}
bool inPersistentAlloc(uintptr p) {
  uintptr chunk = atomic::Load(reinterpret_cast<uintptr*>(&persistentChunks));
  while (chunk != 0) {
    if (p >= chunk && p < chunk + persistentChunkSize) return true;
    chunk = *reinterpret_cast<uintptr*>(chunk);
  }
  return false;
}

/// add: the address bytes past p. \gosrc{malloc.go,notInHeap.add}
notInHeap* notInHeap::add(uintptr bytes) {
  return reinterpret_cast<notInHeap*>(reinterpret_cast<uintptr>(this) + bytes);
}

}  // namespace runtime
