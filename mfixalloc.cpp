// mfixalloc.cpp: the fixed-size object allocator, mirroring mfixalloc.go at
// go1.22.12. See mfixalloc.hpp for its design, [fix-inuse] and [fix-zero].
#include "mfixalloc.hpp"

#include <algorithm>

#include "malloc.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// init: f hands out objects of size bytes (at least one link), calls first
/// on each the first time, and counts its chunks in stat.
/// \gosrc{mfixalloc.go,fixalloc.init}
void fixalloc::init(uintptr size_, void (*first_)(void* arg, void* p), void* arg_, sysMemStat* stat_) {
  if (size_ > _FixAllocChunk) throw_("runtime: fixalloc size too large");
  size_ = std::max(size_, uintptr(sizeof(mlink)));

  size = size_;
  first = first_;
  arg = arg_;
  list = nullptr;
  chunk = 0;
  nchunk = 0;
  // A chunk holds a whole number of objects: no tail goes to waste.
  nalloc = uint32(_FixAllocChunk / size_ * size_);
  inuse = 0;
  stat = stat_;
  zero = true;
}

/// alloc: an object, from the free list if it has one, else cut from the
/// current chunk (a new one when it is used up). [fix-zero]
/// \gosrc{mfixalloc.go,fixalloc.alloc}
void* fixalloc::alloc() {
  if (size == 0) {
    print("runtime: use of FixAlloc_Alloc before FixAlloc_Init\n");
    throw_("runtime: internal error");
  }

  if (list != nullptr) {
    void* v = list;
    list = list->next;
    inuse += size;
    if (zero) memclrNoHeapPointers(v, size);
    return v;
  }
  if (uintptr(nchunk) < size) {
    chunk = uintptr(persistentalloc(uintptr(nalloc), 0, stat));
    nchunk = nalloc;
  }

  void* v = reinterpret_cast<void*>(chunk);
  if (first != nullptr) first(arg, v);
  chunk = chunk + size;
  nchunk -= uint32(size);
  inuse += size;
  return v;
}

/// free: p goes on the free list; its first word becomes the link.
/// \gosrc{mfixalloc.go,fixalloc.free}
void fixalloc::free(void* p) {
  inuse -= size;
  mlink* v = static_cast<mlink*>(p);
  v->next = list;
  list = v;
}

}  // namespace runtime
