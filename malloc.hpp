// malloc.hpp: the garbage-collected allocator's entry points and sizes,
// mirroring malloc.go at go1.22.12: mallocinit, mallocgc (and newobject,
// newarray: what `new(T)` and `make([]T, n)` compile to), the fast path
// nextFreeFast, the heap's address bits and arenas, the physical page sizes
// the OS reports, linearAlloc, and persistentalloc, the allocator of runtime
// metadata that is never freed. The layers below mallocgc (mcache.hpp,
// mcentral.hpp, mheap.hpp, mpagealloc.hpp, mem.hpp) each say what they own.
//
// The allocator in one paragraph (Go's overview at the top of malloc.go, in
// short). A small object (at most maxSmallSize bytes) is rounded up to one of
// the size classes (sizeclasses.hpp) and taken from the running P's mcache,
// which holds one span per span class (size class x "has pointers"); taking
// an object from that span is a scan of its allocation bitmap through a
// 64-bit cache (nextFreeFast), with no lock at all. When the span is full
// the mcache swaps it for one with free slots from the class's mcentral
// (refill), a lock-free set of spans; an mcentral with none asks the mheap
// for pages (mheap.alloc), under the heap lock, and the page allocator
// (mpagealloc.hpp) finds them in the address space the heap has reserved in
// 64 MiB arenas (mheap.sysAlloc). A large object gets a span of its own. A
// pointer-free object under 16 bytes shares a 16-byte block with others
// (the tiny allocator).
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
// Invariant [mallocing]: m.mallocing is 1 exactly while mallocgc works on
// the M's mcache; a nested mallocgc on the same M is a fatal error ("malloc
// deadlock"). The M holds m.locks too, so its P cannot change underneath.
//
// Invariant [no-collector] (named before the collector existed): objects
// are freed only by the collector's sweep (mgc.hpp, mgcsweep.hpp), never
// by the program; a cycle runs when runtime::GC asks for one. The paths of
// malloc.go that only a concurrent collector drives (assist credit, the
// heap trigger) are left out where they would sit, each with a note.
//
// Locks: globalAlloc.mutex protects globalAlloc's chunk and offset;
// persistentChunks is a lock-free list (pushed with CAS, never popped);
// mheap_.lock protects the arena hints (mheap.hpp). mallocgc takes no lock
// on its fast paths.
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "runtime2.hpp"
#include "time.hpp"
#include "sizeclasses.hpp"
#include "type.hpp"

namespace runtime {

// --- The allocator's sizes (malloc.go's first const block) -------------------

/// maxTinySize, tinySizeClass, maxSmallSize: the tiny allocator's block
/// size and class, and the largest small object. \gosrc{malloc.go,maxTinySize}
inline constexpr uintptr _TinySize = 16;
inline constexpr int8 _TinySizeClass = 2;
inline constexpr uintptr maxTinySize = _TinySize;
inline constexpr int8 tinySizeClass = _TinySizeClass;
inline constexpr uintptr maxSmallSize = _MaxSmallSize;

/// _FixAllocChunk: the bytes a fixalloc takes from persistentalloc at a
/// time. \gosrc{malloc.go,_FixAllocChunk}
inline constexpr uintptr _FixAllocChunk = 16 << 10;

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

/// maxAlloc: the largest possible allocation. \gosrc{malloc.go,maxAlloc}
inline constexpr uintptr maxAlloc = uintptr(1) << heapAddrBits;

/// logHeapArenaBytes, heapArenaBytes: the heap is mapped in 64 MiB arenas
/// aligned to their size. \gosrc{malloc.go,heapArenaBytes}
inline constexpr uintptr logHeapArenaBytes = 6 + 20;
inline constexpr uintptr heapArenaBytes = uintptr(1) << logHeapArenaBytes;
inline constexpr uintptr heapArenaWords = heapArenaBytes / sizeof(uintptr);

/// heapArenaBitmapWords: the words of an arena's pointer bitmap (mallocinit
/// checks it is a power of two). \gosrc{malloc.go,heapArenaBitmapWords}
inline constexpr uintptr heapArenaBitmapWords = heapArenaWords / (8 * sizeof(uintptr));

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

/// minHeapForMetadataHugePages: a heap goal above which the heap's
/// metadata (the arena map, the page bitmaps) is backed by huge pages.
/// \gosrc{malloc.go,minHeapForMetadataHugePages}
inline constexpr uintptr minHeapForMetadataHugePages = uintptr(1) << 30;

/// minPhysPageSize, maxPhysPageSize: the physical page sizes the runtime
/// supports. Departure: mheap.go's constants; they sit here because the page
/// allocator's headers, which mheap.hpp includes, need them.
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

/// The runtime's own heap objects: Go's compiler knows their pointer maps;
/// the port's g, m, p and sudog hold raw pointers (to each other, to
/// stacks, to C++ objects), so their maps cannot be derived, and they are
/// scanned conservatively (conservativeScan, type.hpp).
/// Departure: Go scans them precisely.
template <>
inline constexpr bool conservativeScan<g> = true;
/// g.stack_, stackguard0 and stackguard1 are addresses in or at the end of
/// the goroutine's own stack (uintptrs in Go, never scanned). stack_.hi is
/// one past the stack's last byte, and a stack is a span of the heap's
/// arenas (stackalloc), so hi is also the first byte of whatever the heap
/// holds next. A scan that read it as a pointer kept that object alive for
/// as long as the g lived, and a dead g lives on, its stack kept for reuse
/// (gfput): in about one gort_test run in four, a 100 MiB object that an
/// earlier test had dropped stayed live that way. So g's map leaves the
/// three out. It leaves out what entersyscall records too, for the same
/// reason: syscallsp, syscallpc and syscallbp (uintptrs in Go) and the
/// port's syscallstack and syscallseg are addresses in the goroutine's
/// stack, at its end, or in code, and only syscallsp is cleared when the
/// call returns. Scanned, syscallstack.hi kept the object after the stack
/// alive, and a stack freed with its dead g (markrootFreeGStacks) left
/// syscallbp pointing into pages the heap then reused; and since
/// entersyscall writes them with no write barrier, GODEBUG=gccheckmark=1
/// found such an object unmarked by the concurrent mark, and threw.
template <>
inline constexpr uintptr conservativeScalars<g>[4] = {
    offsetof(g, stack_), offsetof(g, _panic) - offsetof(g, stack_), offsetof(g, syscallsp),
    offsetof(g, syscallseg) + sizeof(g::syscallseg) - offsetof(g, syscallsp)};
static_assert(offsetof(g, stack_) == 0 && offsetof(g, _panic) == sizeof(stack) + 2 * sizeof(uintptr),
              "g: stack_, stackguard0 and stackguard1 are its first four words");
static_assert(offsetof(g, syscallpc) == offsetof(g, syscallsp) + sizeof(uintptr) &&
                  offsetof(g, syscallbp) == offsetof(g, syscallpc) + sizeof(uintptr) &&
                  offsetof(g, syscallstack) == offsetof(g, syscallbp) + sizeof(uintptr) &&
                  offsetof(g, syscallseg) == offsetof(g, syscallstack) + sizeof(stack),
              "g: syscallsp, syscallpc, syscallbp, syscallstack and syscallseg lie together, in that order");
template <>
inline constexpr bool conservativeScan<m> = true;
template <>
inline constexpr bool conservativeScan<p> = true;
template <>
inline constexpr bool conservativeScan<sudog> = true;
/// A timer (time.hpp) holds a raw function pointer beside its argument,
/// so its map cannot be derived either. Only pp, f and arg are pointers:
/// when, period, seq, nextwhen and status are numbers (a nanotime can look
/// like a heap address), so its map leaves them out.
template <>
inline constexpr bool conservativeScan<timer> = true;
template <>
inline constexpr uintptr conservativeScalars<timer>[4] = {offsetof(timer, when), offsetof(timer, f) - offsetof(timer, when),
                                                          offsetof(timer, seq), sizeof(timer) - offsetof(timer, seq)};

/// p.pcache is a page address and two bitmaps, never a pointer to an
/// object; but its base is the address of the first object of the first
/// span cut from the cache, and a scan that took it for a pointer kept
/// that object, and all it reaches, alive for as long as the cache lasted
/// (a finalizer that never ran, a test's list that was never freed). So
/// p's map leaves pcache out. So it does p.wbBuf_, the write-barrier
/// buffer: Go's is an array of uintptr, never scanned, and its old entries
/// stay after a flush; scanned, they would keep what the barriers last
/// recorded alive until the slots are written again.
template <>
inline constexpr uintptr conservativeScalars<p>[4] = {offsetof(p, pcache), sizeof(pageCache), offsetof(p, wbBuf_),
                                                      sizeof(wbBuf)};
static_assert(offsetof(p, pcache) % sizeof(uintptr) == 0 && sizeof(pageCache) % sizeof(uintptr) == 0,
              "p.pcache: whole words");
static_assert(offsetof(p, wbBuf_) % sizeof(uintptr) == 0 && sizeof(wbBuf) % sizeof(uintptr) == 0,
              "p.wbBuf_: whole words");

struct mspan;
struct mcache;

void mallocinit();
void* mallocgc(uintptr size, const _type* typ, bool needzero);
g* deductAssistCredit(uintptr size);
void* newobject(const _type* typ);
void* newarray(const _type* typ, int n);

/// zerobase: the address every zero-byte allocation returns.
/// \gosrc{malloc.go,zerobase}
extern uintptr zerobase;

/// newobject<T>(args...) is `new(T)`: mallocgc's zeroed memory for a T from
/// the garbage-collected heap (newobject, with heapType<T>(): T's pointer
/// map derived from T, or a compile error saying why it cannot be; see
/// type.hpp), in which the T is then constructed. Go's zero value is the zeroed memory itself; C++
/// runs the constructor the arguments select, and a T with a trivial
/// default constructor is left as the zeroed memory it already is (a
/// large object's fresh pages are not even touched, as in Go).
/// \gosrc{malloc.go,newobject}
template <class T, class... Args>
T* newobject(Args&&... args) {
  static_assert(!isNotInHeap<T>, "can't be allocated in Go; it is incomplete (or unallocatable)");
  // [class-align] (sizeclasses.hpp): every object is aligned to 16 bytes
  // or to its size class's power of two, which covers alignof(T) <= 16.
  static_assert(alignof(T) <= 16, "newobject: alignment above 16 bytes");
  void* p;
  if constexpr (isNotInHeap<T>) {
    p = nullptr;  // refused above; no second error about T's map
  } else {
    p = newobject(heapType<T>());
  }
  if constexpr (sizeof...(Args) == 0 && std::is_trivially_default_constructible_v<T>) {
    return ::new (p) T;
  } else {
    T* t;
    if constexpr (std::is_aggregate_v<T> && sizeof...(Args) != 0 && !std::is_constructible_v<T, Args&&...>) {
      // &T{a, b}: an aggregate's members from the arguments (braces, as
      // clang 14 has no parenthesised aggregate initialisation).
      t = ::new (p) T{std::forward<Args>(args)...};
    } else {
      t = ::new (p) T(std::forward<Args>(args)...);
    }
    // The references it was built with, for a collector that is marking.
    if constexpr (sizeof...(Args) != 0 && !isNotInHeap<T>) {
      initBarrier(t);
    }
    return t;
  }
}

/// newarray<T>(n) is `make([]T, n)`'s array: n zeroed Ts from the heap,
/// each value-initialised (T{}). \gosrc{malloc.go,newarray}
template <class T>
T* newarray(int n) {
  static_assert(!isNotInHeap<T>, "can't be allocated in Go; it is incomplete (or unallocatable)");
  static_assert(alignof(T) <= 16, "newarray: alignment above 16 bytes");
  T* a = static_cast<T*>(newarray(heapType<T>(), n));
  if constexpr (!std::is_trivially_default_constructible_v<T>) {
    for (int i = 0; i < n; i++) ::new (&a[i]) T();
  }
  return a;
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

// persistentAlloc is defined in runtime2.hpp: the P embeds one (p.palloc).

/// persistentChunkSize: the size of the chunks persistentalloc carves.
/// \gosrc{malloc.go,persistentChunkSize}
inline constexpr uintptr persistentChunkSize = 256 << 10;

void* persistentalloc(uintptr size, uintptr align, sysMemStat* sysStat);
SYSTEMSTACK notInHeap* persistentalloc1(uintptr size, uintptr align, sysMemStat* sysStat);
NOSPLIT bool inPersistentAlloc(uintptr p);

/// linearAlloc: a bump allocator over a reserved region, which it maps
/// (Reserved -> Ready) as it goes when mapMemory is set. Its caller locks.
/// On 64-bit systems the heap does not use one (mheap_.arena and
/// mheap_.heapArenaAlloc stay empty), as in Go. \gosrc{malloc.go,linearAlloc}
struct linearAlloc {
  uintptr next;    // the next free byte
  uintptr mapped;  // one past the end of the mapped part
  uintptr end;     // the end of the reservation
  bool mapMemory;  // map memory as it is handed out

  void init(uintptr base, uintptr size, bool mapMemory);
  void* alloc(uintptr size, uintptr align, sysMemStat* sysStat);
};

uintptr computeRZlog(uintptr userSize);
/// roundupsize (msize_allocheaders.cpp): the size mallocgc hands out for a
/// request of size bytes.
uintptr roundupsize(uintptr size, bool noscan);
std::pair<void*, uintptr> sysReserveAligned(void* v, uintptr size, uintptr align);
void memclrNoHeapPointersChunked(uintptr size, void* x);

}  // namespace runtime
