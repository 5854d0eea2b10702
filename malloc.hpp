// malloc.hpp: the garbage-collected allocation entry, mirroring malloc.go at
// go1.22.12 (newobject: what `new(T)` compiles to; mallocgc behind it), and
// the sizes the whole memory allocator is built on: the page size, the heap's
// address bits and arenas, the physical page sizes the OS reports, and
// persistentalloc, the allocator of runtime metadata that is never freed.
//
// Invariant [notinheap]: a type deriving from sys::NotInHeap
// (runtime/internal/sys/nih.go) never comes from here; newobject refuses it
// at compile time with Go's message (cmd/compile/internal/walk/builtin.go),
// and tools/gocheck.py refuses a plain `new` of it.
//
// Invariant [phys-page]: physPageSize is set by osinit (os_linux.cpp) before
// anything maps memory, and every sys* transition (mem.cpp) covers whole
// physical pages.
//
// Locks: globalAlloc.mutex protects globalAlloc's chunk and offset;
// persistentChunks is a lock-free list (pushed with CAS, never popped).
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "runtime2.hpp"

namespace runtime {

// --- The allocator's sizes (malloc.go's first const block) -------------------

/// _PageShift: log2 of the runtime's page size. Go generates it into
/// sizeclasses.go with the size-class tables; it sits here until
/// sizeclasses.hpp exists. \gosrc{sizeclasses.go,_PageShift}
inline constexpr uintptr _PageShift = 13;

/// pageShift, pageSize: the runtime's page, 8 KiB. The page allocator counts
/// in these pages, not in the OS's (physPageSize). \gosrc{malloc.go,pageShift}
inline constexpr uintptr pageShift = _PageShift;
inline constexpr uintptr pageSize = uintptr(1) << _PageShift;
inline constexpr uintptr _PageSize = uintptr(1) << _PageShift;
inline constexpr uintptr _PageMask = _PageSize - 1;

/// _64bit: 1 on 64-bit systems. \gosrc{malloc.go,_64bit}
inline constexpr uintptr _64bit = 1;

/// heapAddrBits: the bits of a heap address, 48 on linux/amd64 (the
/// hardware's 48-bit virtual addresses). \gosrc{malloc.go,heapAddrBits}
inline constexpr uintptr heapAddrBits = 48;

/// logHeapArenaBytes, heapArenaBytes: the heap is mapped in 64 MiB arenas
/// aligned to their size. \gosrc{malloc.go,heapArenaBytes}
inline constexpr uintptr logHeapArenaBytes = 6 + 20;
inline constexpr uintptr heapArenaBytes = uintptr(1) << logHeapArenaBytes;

/// pagesPerArena: runtime pages in one arena. \gosrc{malloc.go,pagesPerArena}
inline constexpr uintptr pagesPerArena = heapArenaBytes / pageSize;

/// arenaL1Bits, arenaL2Bits: the split of an arena number between the two
/// levels of mheap.arenas; on linux/amd64 the first level has one entry.
/// \gosrc{malloc.go,arenaL1Bits}
inline constexpr uintptr arenaL1Bits = 0;
inline constexpr uintptr arenaL2Bits = heapAddrBits - logHeapArenaBytes - arenaL1Bits;
inline constexpr uintptr arenaL1Shift = arenaL2Bits;
inline constexpr uintptr arenaBits = arenaL1Bits + arenaL2Bits;

/// arenaBaseOffset: the address that is index 0 of the arena map and of the
/// page allocator's chunk index. amd64 addresses are 48 bits sign-extended,
/// so the upper half (0xffff8...) comes first: an address is offset by
/// -arenaBaseOffset (that is, +1<<47) before it is turned into an index.
/// \gosrc{malloc.go,arenaBaseOffset}
inline constexpr uintptr arenaBaseOffset = 0xffff800000000000;

/// minLegalPointer: no valid pointer is below the first 4 KiB page.
/// \gosrc{malloc.go,minLegalPointer}
inline constexpr uintptr minLegalPointer = 4096;

/// minPhysPageSize, maxPhysPageSize: the physical page sizes the runtime
/// supports. mheap.go's constants, here until mheap.hpp exists.
/// \gosrc{mheap.go,maxPhysPageSize}
inline constexpr uintptr minPhysPageSize = 4096;
inline constexpr uintptr maxPhysPageSize = 512 << 10;

/// physPageSize: the OS's page size, set by osinit ([phys-page]).
/// \gosrc{malloc.go,physPageSize}
inline uintptr physPageSize;

/// physHugePageSize: the OS's transparent huge page size (0 if none), set by
/// osinit; physHugePageShift is its log2 (Go: set in mallocinit).
/// \gosrc{malloc.go,physHugePageSize}
inline uintptr physHugePageSize;
inline uint physHugePageShift;

/// isNotInHeap<T>: T embeds sys.NotInHeap (directly or through a base); Go's
/// compiler asks types.Type.NotInHeap. (Go's runtime type notInHeap, below,
/// is another thing: off-heap memory of no particular type.)
/// Departure: Go also marks a struct that merely has such a field; C++ cannot
/// see fields from a template, so the marker must be inherited.
template <class T>
inline constexpr bool isNotInHeap = std::is_base_of_v<sys::NotInHeap, T>;

/// newobject is `new(T)`: a zeroed T from the garbage-collected heap.
/// Departure: C++'s operator new until mallocgc exists (GC issue).
/// \gosrc{malloc.go,newobject}
template <class T, class... Args>
T* newobject(Args&&... args) {
  static_assert(!isNotInHeap<T>, "can't be allocated in Go; it is incomplete (or unallocatable)");
  return ::new T(std::forward<Args>(args)...);
}

// --- persistentalloc (the end of malloc.go) -----------------------------------

/// notInHeap: memory from a low-level allocator (sysAlloc, persistentalloc),
/// never from the garbage-collected heap. \gosrc{malloc.go,notInHeap}
struct notInHeap : sys::NotInHeap {
  notInHeap* add(uintptr bytes);
};

/// notInHeapSlice: a slice whose array is off-heap memory (a reservation,
/// sysAlloc, persistentalloc). Departure: Go declares the untyped header in
/// slice.go and reinterprets it as a []T; the port keeps the element type.
/// Indexing is bounds-checked against len, as Go's is: Go's page allocator
/// keeps len at the mapped part of a larger reservation so that a stray
/// index fails loudly instead of faulting (see pageAlloc.summary).
/// \gosrc{slice.go,notInHeapSlice}
template <class T>
struct notInHeapSlice {
  T* array;
  int len;
  int cap;
  T& operator[](int i) const {
    if (uint(i) >= uint(len)) {
      print("runtime: index ", i, " out of range [0:", len, "]\n");
      throw_("index out of range");
    }
    return array[i];
  }
};

/// persistentAlloc: a bump allocator over one persistentChunkSize chunk.
/// \gosrc{malloc.go,persistentAlloc}
struct persistentAlloc {
  notInHeap* base;
  uintptr off;
};

/// persistentChunkSize: the size of the chunks persistentalloc carves.
/// \gosrc{malloc.go,persistentChunkSize}
inline constexpr uintptr persistentChunkSize = 256 << 10;

void* persistentalloc(uintptr size, uintptr align, sysMemStat* sysStat);
SYSTEMSTACK notInHeap* persistentalloc1(uintptr size, uintptr align, sysMemStat* sysStat);
NOSPLIT bool inPersistentAlloc(uintptr p);

}  // namespace runtime
