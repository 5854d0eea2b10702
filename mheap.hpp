// mheap.hpp: the page heap, mirroring mheap.go at go1.22.12 (functions in
// mheap.cpp; mheap.sysAlloc, the arena reservation, is malloc.go's and sits
// in malloc.cpp). Also here, because the heap's types need them complete:
// the span bitmaps of mbitmap.go (mbitmap.cpp) and the few pieces of
// mbitmap_allocheaders.go that span set-up uses.
//
// The heap's shape. Address space is reserved from the OS in arenas of
// heapArenaBytes (64 MiB), at addresses given by arenaHints (mallocinit),
// and each arena has a heapArena of metadata: for every page, the span that
// owns it (spans), and bitmaps of the pages that start in-use spans. The
// two-level map mheap_.arenas finds an arena's metadata from an address
// (spanOf), which is how any pointer is turned into its span. Within the
// reserved arenas, mheap.grow maps memory a whole chunk (4 MiB) at a time
// and hands it to the page allocator (mheap_.pages, mpagealloc.hpp); an
// mspan describes a run of pages the page allocator has handed out, either
// to the garbage-collected heap (mSpanInUse: objects of one span class) or
// to a runtime structure that manages its own memory (mSpanManual: stacks).
//
// Invariants:
//   [spans-map]    for every page of an in-use or manual span s,
//                  heapArena.spans[page] == s (setSpans, in initSpan); a page
//                  of no live span may still name a dead span, so a reader
//                  that does not trust its pointer checks s.state and bounds
//                  (spanOfHeap, findObject).
//   [span-publish] a span's fields are complete before its state becomes
//                  mSpanInUse (an atomic store), and before it is published
//                  in heapArena.pageInUse.
//   [zeroed-base]  heapArena.zeroedBase only grows: every byte of the arena
//                  at or above it is still zero from the OS, so a span there
//                  needs no clearing (allocNeedsZero).
//   [central-pad]  each mcentral sits on cache lines of its own.
//   [specials-sorted] a span's specials list is sorted by offset, then by
//                  kind; heapArena.pageSpecials has a span's first page set
//                  whenever its list may be non-empty (set by addspecial
//                  before the lock is dropped, cleared when the list is
//                  seen empty), which is how markrootSpans finds them.
//   [special-order] at one offset a finalizer precedes every other kind:
//                  the sweeper reviving an object for its finalizer keeps
//                  the records that follow.
//
// Locks: mheap_.lock protects the page allocator, the arena hints and map
// growth, allspans, curArena, and the fixallocs (spanalloc, cachealloc,
// arenaHintAlloc). It is taken only on the system stack (every function that
// takes it is SYSTEMSTACK, or runs its body through systemstack), as Go
// requires: a goroutine stack's growth may allocate. Nothing that could
// block or park may run while it is held. gcBitsArenas.lock protects the
// bitmap arenas' lists (not their free offsets, which move by atomic add).
// mheap_.speciallock protects the specials' fixallocs; mspan.speciallock a
// span's specials list (the sweeper, which owns the span, walks it without).
#pragma once
#include "internal/cpu/cpu.hpp"
#include "internal/sys/intrinsics.hpp"
#include "malloc.hpp"
#include "mfixalloc.hpp"
#include "mpagealloc.hpp"
#include "mranges.hpp"
#include "mstats.hpp"
#include "race.hpp"
#include "runtime2.hpp"
#include "type.hpp"

namespace runtime {

/// maxPhysHugePageSize: the largest huge page the runtime supports.
/// \gosrc{mheap.go,maxPhysHugePageSize}
inline constexpr uintptr maxPhysHugePageSize = pallocChunkBytes;

/// pagesPerReclaimerChunk: the pages the sweeper's reclaimer claims at a
/// time (checked by mallocinit). \gosrc{mheap.go,pagesPerReclaimerChunk}
inline constexpr uintptr pagesPerReclaimerChunk = 512;

/// physPageAlignedStacks: stacks must be aligned to the physical page (only
/// on OpenBSD). \gosrc{mheap.go,physPageAlignedStacks}
inline constexpr bool physPageAlignedStacks = false;

/// pagesPerSpanRoot: the pages of one root job of the collector's span
/// scan (mgcmark.go; mallocinit checks it divides an arena).
/// \gosrc{mgcmark.go,pagesPerSpanRoot}
inline constexpr uintptr pagesPerSpanRoot = 512;

// --- gclink (mcache.go) ----------------------------------------------------------
// Departure: declared here, not in mcache.hpp, because mspan embeds a
// gclinkptr and mcache.hpp needs mspan.

/// gclink: a link in a list of free blocks, opaque to the collector.
/// \gosrc{mcache.go,gclink}
struct gclink;

/// gclinkptr: a pointer to a gclink kept as an integer, so that the
/// collector does not trace it and stores need no write barrier.
/// \gosrc{mcache.go,gclinkptr}
struct gclinkptr {
  uintptr v;
  constexpr gclinkptr(uintptr x = 0) : v(x) {}
  constexpr explicit operator uintptr() const { return v; }
  constexpr bool operator==(const gclinkptr&) const = default;
  gclink* ptr() const;
};
struct gclink {
  gclinkptr next;
};

// --- gcBits (mheap.go) -----------------------------------------------------------

/// gcBits: an allocation or mark bitmap, one bit per object; only ever
/// reached through its first byte. \gosrc{mheap.go,gcBits}
struct gcBits : sys::NotInHeap {
  uint8 x;
  uint8* bytep(uintptr n);
  /// bitp's two results: the byte and the mask of bit n in it.
  struct bit {
    uint8* bytep;
    uint8 mask;
  };
  bit bitp(uintptr n);
};

/// gcBitsChunkBytes: the size of one arena of bitmaps.
/// \gosrc{mheap.go,gcBitsChunkBytes}
inline constexpr uintptr gcBitsChunkBytes = uintptr(64 << 10);

/// gcBitsHeader: the fields before the bits of a gcBitsArena.
/// \gosrc{mheap.go,gcBitsHeader}
struct gcBitsHeader {
  uintptr free;
  uintptr next;
};
inline constexpr uintptr gcBitsHeaderBytes = sizeof(gcBitsHeader);

/// gcBitsArena: a 64 KiB block that spans' bitmaps are cut from by atomic
/// add of free. \gosrc{mheap.go,gcBitsArena}
struct gcBitsArena : sys::NotInHeap {
  uintptr free;  // the index of the next free byte of bits; atomic
  gcBitsArena* next;
  gcBits bits[gcBitsChunkBytes - gcBitsHeaderBytes];

  gcBits* tryAlloc(uintptr bytes);
};

/// gcBitsArenas: the bitmap arenas by GC epoch: new bitmaps are cut from
/// next; at each mark's start (nextMarkBitArenaEpoch) next becomes current,
/// current becomes previous, and the previous arenas, which no span uses
/// any more, are freed for reuse. \gosrc{mheap.go,gcBitsArenas}
struct gcBitsArenasState {
  mutex lock;
  gcBitsArena* free;
  gcBitsArena* next;  // read atomically; written atomically under lock
  gcBitsArena* current;
  gcBitsArena* previous;
};
extern gcBitsArenasState gcBitsArenas;

// mbitmap.go's byte-pointer helpers (mbitmap.cpp).
NOWRITEBARRIER NOSPLIT uint8* addb(uint8* p, uintptr n);
NOWRITEBARRIER NOSPLIT uint8* subtractb(uint8* p, uintptr n);
NOWRITEBARRIER NOSPLIT uint8* add1(uint8* p);
NOWRITEBARRIER NOSPLIT uint8* subtract1(uint8* p);

gcBits* newMarkBits(uintptr nelems);
void nextMarkBitArenaEpoch();
gcBits* newAllocBits(uintptr nelems);
gcBitsArena* newArenaMayUnlock();

// --- Spans -------------------------------------------------------------------------

/// mSpanState: what a span is used for. \gosrc{mheap.go,mSpanState}
enum mSpanState : uint8 {
  mSpanDead = 0,
  mSpanInUse = 1,   // objects of the garbage-collected heap
  mSpanManual = 2,  // managed by its owner (stacks)
};

/// mSpanStateNames: the states' names, for messages.
/// \gosrc{mheap.go,mSpanStateNames}
inline constexpr const char* mSpanStateNames[] = {"mSpanDead", "mSpanInUse", "mSpanManual"};

/// mSpanStateBox: a span's state, read and written atomically, as a reader
/// that found the span through an untrusted pointer checks it first
/// ([span-publish]). \gosrc{mheap.go,mSpanStateBox}
struct mSpanStateBox {
  atomic::Value<uint8> s;
  NOSPLIT void set(mSpanState st);
  NOSPLIT_INLINE mSpanState get() const { return mSpanState(s.Load()); }
};

/// spanClass: a size class and whether its objects hold no pointers
/// (noscan, the low bit): mcentrals and mcache slots are per span class.
/// \gosrc{mheap.go,spanClass}
struct spanClass {
  uint8 v;
  constexpr spanClass(uint8 x = 0) : v(x) {}
  constexpr operator uint8() const { return v; }
  NOSPLIT_INLINE constexpr int8 sizeclass() const;
  NOSPLIT_INLINE constexpr bool noscan() const;
};

/// numSpanClasses, tinySpanClass: the span classes, and the tiny
/// allocator's (16-byte blocks, noscan). \gosrc{mheap.go,numSpanClasses}
inline constexpr uintptr numSpanClasses = _NumSizeClasses << 1;
inline constexpr spanClass tinySpanClass = spanClass(uint8(tinySizeClass << 1 | 1));

struct mspan;
struct special;

/// mSpanList: a doubly linked list of spans. \gosrc{mheap.go,mSpanList}
struct mSpanList : sys::NotInHeap {
  mspan* first;
  mspan* last;

  void init();
  void remove(mspan* span);
  bool isEmpty();
  void insert(mspan* span);
  void insertBack(mspan* span);
  void takeAll(mSpanList* other);
};

/// markBits: one object's bit in a span's mark (or allocation) bitmap.
/// \gosrc{mbitmap.go,markBits}
struct markBits {
  uint8* bytep;
  uint8 mask;
  uintptr index;

  bool isMarked() const;
  void setMarked() const;
  void setMarkedNonAtomic() const;
  void clearMarked() const;
  void advance();
};

/// typePointers: an iterator over the pointers of the heap objects in a
/// range: elem is the element (a value of typ) being walked, addr the
/// address of the word mask's bit 0 stands for, mask the pointer words
/// from addr on still to report (one bit per word, up to ptrBits of them),
/// typ the type whose GCData refills mask (nullptr: mask is all there is,
/// an object whose bits live in its span). \gosrc{mbitmap_allocheaders.go,typePointers}
struct typePointers {
  uintptr elem;
  uintptr addr;
  uintptr mask;
  const _type* typ;

  struct nextResult;
  NOSPLIT_INLINE nextResult nextFast() const;
  NOSPLIT_INLINE nextResult next(uintptr limit) const;
  NOSPLIT typePointers fastForward(uintptr n, uintptr limit) const;
};

/// next's and nextFast's two results: the iterator moved on, and the
/// address of the pointer word found (0: none is left).
struct typePointers::nextResult {
  typePointers tp;
  uintptr addr;
};

/// mspan: a run of pages, and what they hold. For a heap span: elemsize
/// objects of spanclass, nelems of them; allocBits says which are in use
/// (below freeindex, all are, as far as allocation is concerned) and
/// allocCache holds the complement of the 64 bits from freeindex on, so
/// that a count of trailing zeros finds the next free object.
/// \gosrc{mheap.go,mspan}
struct mspan : sys::NotInHeap {
  mspan* next;      // in a list
  mspan* prev;
  mSpanList* list;  // the list it is on, for checks

  uintptr startAddr;  // the first byte (base())
  uintptr npages;

  gclinkptr manualFreeList;  // free blocks of an mSpanManual span

  uint16 freeindex;         // where to look for the next free object
  uint16 nelems;            // objects in the span
  // freeindex as the collector may see it: the owner stores it after each
  // allocation while a mark worker reads it (isFree); Go's plain field, a
  // Racy here so that the race is a declared one.
  atomic::Racy<uint16> freeIndexForScan;

  uint64 allocCache;  // ~allocBits from freeindex on

  gcBits* allocBits;
  gcBits* gcmarkBits;
  gcBits* pinnerBits;

  // sweepgen against mheap_.sweepgen (h): h-2 needs sweeping, h-1 is being
  // swept, h is swept, h+1 was cached before the sweep began, h+3 was
  // swept and then cached. h moves by 2 per GC cycle.
  uint32 sweepgen;
  uint32 divMul;      // divides by elemsize (divideByElemSize)
  uint16 allocCount;  // objects allocated
  spanClass spanclass;
  mSpanStateBox state;
  uint8 needzero;     // must be cleared before objects are handed out
  bool isUserArenaChunk;
  // conservative: port only: the span holds, or held since it was last
  // initialised, an object of a conservatively scanned type (_type's
  // conservative: the runtime's g, m, p, sudog, hchan, and a channel buffer
  // of elements whose map cannot be derived). scanobject checks
  // the words of this span's objects against the allocation bits (isFree)
  // before greying; the words of any other span's objects are exact
  // pointers, greyed as Go greys them, so a pointer to a freed object is
  // marked and the sweep reports it (reportZombies). Set by mallocgc
  // before the object is published; read by the mark while other objects of
  // the span are being allocated, hence Racy.
  atomic::Racy<bool> conservative;
  uint16 allocCountBeforeCache;  // allocCount when the mcache took it
  uintptr elemsize;
  // The end of the objects. allocLarge lowers it after the span is in use,
  // while a mark worker may read it (spanOfHeap, findObject): Racy.
  atomic::Racy<uintptr> limit;
  mutex speciallock;
  special* specials;
  addrRange userArenaChunkFree;
  const _type* largeType;  // a large object's type (its malloc header)

  NOSPLIT_INLINE uintptr base() const;
  /// layout's three results.
  struct layoutResult {
    uintptr size, n, total;
  };
  layoutResult layout();
  void init(uintptr base, uintptr npages);
  bool inList();

  // mbitmap.go
  NOSPLIT markBits allocBitsForIndex(uintptr allocBitIndex);
  void refillAllocCache(uint16 whichByte);
  uint16 nextFreeIndex();
  bool isFree(uintptr index);
  NOSPLIT_INLINE uintptr divideByElemSize(uintptr n) const;
  NOSPLIT_INLINE uintptr objIndex(uintptr p) const;
  markBits markBitsForIndex(uintptr objIndex);
  markBits markBitsForBase();
  int countAlloc();

  /// specialFindSplicePoint's results: where a record of (offset, kind)
  /// goes in the list, and whether one is there already.
  struct splicePoint {
    special** iter;
    bool found;
  };
  splicePoint specialFindSplicePoint(uintptr offset, byte kind);

  // mgcsweep.go
  NOWRITEBARRIER void ensureSwept();
  void reportZombies();

  // mbitmap_allocheaders.go
  NOSPLIT typePointers typePointersOf(uintptr addr, uintptr size);
  NOSPLIT_INLINE typePointers typePointersOfUnchecked(uintptr addr);
  NOSPLIT typePointers typePointersOfType(const _type* typ, uintptr addr);
  NOSPLIT uintptr objBase(uintptr addr);
  void initHeapBits(bool forceClear);
  NOSPLIT notInHeapSlice<uintptr> heapBits();
  NOSPLIT uintptr heapBitsSmallForAddr(uintptr addr);
  NOSPLIT uintptr writeHeapBitsSmall(uintptr x, uintptr dataSize, const _type* typ);
};

/// base: the span's first byte. \gosrc{mheap.go,mspan.base}
NOSPLIT_INLINE uintptr mspan::base() const { return startAddr; }

/// makeSpanClass. \gosrc{mheap.go,makeSpanClass}
NOSPLIT_INLINE constexpr spanClass makeSpanClass(uint8 sizeclass, bool noscan) {
  return spanClass(uint8(sizeclass << 1) | uint8(bool2int(noscan)));
}

/// sizeclass: the size class. \gosrc{mheap.go,spanClass.sizeclass}
NOSPLIT_INLINE constexpr int8 spanClass::sizeclass() const { return int8(v >> 1); }

/// noscan: whether the class's objects hold no pointers.
/// \gosrc{mheap.go,spanClass.noscan}
NOSPLIT_INLINE constexpr bool spanClass::noscan() const { return (v & 1) != 0; }

/// divideByElemSize: n / elemsize by a multiply and a shift (class_to_divmagic).
/// n is at most the span's size. \gosrc{mbitmap.go,mspan.divideByElemSize}
NOSPLIT_INLINE uintptr mspan::divideByElemSize(uintptr n) const {
  return uintptr((uint64(n) * uint64(divMul)) >> 32);
}

/// objIndex: the index of the object p points into.
/// \gosrc{mbitmap.go,mspan.objIndex}
NOSPLIT_INLINE uintptr mspan::objIndex(uintptr p) const { return divideByElemSize(p - base()); }

/// The kinds of specials, in the order a span's list keeps them at one
/// offset. The finalizer comes first: the sweeper, finding one on a dead
/// object, keeps the object and the records after it ([special-order]).
/// The finalizer and the reachability probe are ported; the others come
/// with the profiler (mprof.go) and the pinner (pinner.go).
/// \gosrc{mheap.go,_KindSpecialFinalizer}
enum : uint8 {
  _KindSpecialFinalizer = 1,
  _KindSpecialProfile = 2,
  _KindSpecialReachable = 3,
  _KindSpecialPinCounter = 4,
};

/// special: a record attached to an object (a finalizer, later a profile
/// bucket or a pin count), in the span's list sorted by offset then kind
/// ([specials-sorted]). Lives outside the GC heap (a fixalloc).
/// \gosrc{mheap.go,special}
struct special : sys::NotInHeap {
  special* next;  // the next record of the span
  uint16 offset;  // the object's (or the inner byte's) offset in the span
  byte kind;      // _KindSpecial*
};

/// specialfinalizer: the record SetFinalizer attaches. It is outside the
/// heap, so the collector does not see fn through the heap: markrootSpans
/// scans it as a root. fint and ot are the port's static type descriptors.
/// Departure: not derived from sys::NotInHeap as Go's has the marker: its
/// first member, special, is, and C++ would place that member after an
/// empty base of the same type (two NotInHeap subobjects may not share an
/// address), breaking the cast between the record and its special.
/// \gosrc{mheap.go,specialfinalizer}
struct specialfinalizer {
  struct special special;
  funcval* fn;  // the finalizer closure (a heap object)
  uintptr nret;
  const _type* fint;
  const ptrtype* ot;
};
static_assert(offsetof(specialfinalizer, special) == 0, "specialfinalizer: special must come first");

/// specialReachable: a probe gcTestIsReachable attaches to an object: the
/// sweep that frees the object sets done, the sweep that finds it marked
/// sets reachable as well; either way the sweep unlinks it and the creator
/// frees it. \gosrc{mheap.go,specialReachable}
struct specialReachable {
  struct special special;
  bool done;
  bool reachable;
};
static_assert(offsetof(specialReachable, special) == 0, "specialReachable: special must come first");

/// specialsIter: walks a span's specials list and can unlink the current
/// record. \gosrc{mheap.go,specialsIter}
struct specialsIter {
  special** pprev;
  special* s;

  bool valid() const;
  void next();
  special* unlinkAndNext();
};
specialsIter newSpecialsIter(mspan* span);

// --- Arenas ------------------------------------------------------------------------

/// arenaIdx: an arena's number, counted from arenaBaseOffset.
/// \gosrc{mheap.go,arenaIdx}
struct arenaIdx {
  uint v;
  constexpr arenaIdx(uint x = 0) : v(x) {}
  constexpr operator uint() const { return v; }
  arenaIdx& operator++() {
    v++;
    return *this;
  }
  NOSPLIT_INLINE constexpr uint l1() const;
  NOSPLIT_INLINE constexpr uint l2() const;
};

/// arenaIndex: the arena that contains p. \gosrc{mheap.go,arenaIndex}
NOSPLIT_INLINE constexpr arenaIdx arenaIndex(uintptr p) {
  return arenaIdx(uint((p - arenaBaseOffset) / heapArenaBytes));
}

/// arenaBase: the first address of arena i. \gosrc{mheap.go,arenaBase}
NOSPLIT_INLINE constexpr uintptr arenaBase(arenaIdx i) {
  return uintptr(uint(i)) * heapArenaBytes + arenaBaseOffset;
}

/// l1: i's entry in the first level of mheap_.arenas.
/// \gosrc{mheap.go,arenaIdx.l1}
NOSPLIT_INLINE constexpr uint arenaIdx::l1() const {
  if constexpr (arenaL1Bits == 0) {
    return 0;
  } else {
    return v >> arenaL1Shift;
  }
}

/// l2: i's entry in the second level. \gosrc{mheap.go,arenaIdx.l2}
NOSPLIT_INLINE constexpr uint arenaIdx::l2() const {
  if constexpr (arenaL1Bits == 0) {
    return v;
  } else {
    return v & ((uint(1) << arenaL2Bits) - 1);
  }
}

struct checkmarksMap;

/// heapArena: the metadata of one arena. Go embeds heapArenaPtrScalar,
/// which is empty with allocation headers. \gosrc{mheap.go,heapArena}
struct heapArena : sys::NotInHeap {
  // spans: the span of each page ([spans-map]). Read without the heap lock
  // by spanOf, hence atomic::Racy (Go: plain loads of a pointer).
  atomic::Racy<mspan*> spans[pagesPerArena];
  // pageInUse: bit per page, set for the first page of each in-use span.
  uint8 pageInUse[pagesPerArena / 8];
  // pageMarks: bit per page, for the first page of each span with a marked
  // object (the collector's).
  uint8 pageMarks[pagesPerArena / 8];
  // pageSpecials: bit per page, for the first page of each span with
  // specials.
  uint8 pageSpecials[pagesPerArena / 8];
  checkmarksMap* checkmarks;  // the collector's debug mode
  uintptr zeroedBase;         // [zeroed-base]; atomic
};

/// arenaHint: where to try to grow the heap next.
/// \gosrc{mheap.go,arenaHint}
struct arenaHint : sys::NotInHeap {
  uintptr addr;
  bool down;  // grow down from addr (else up)
  arenaHint* next;
};

/// spanAllocType: what a span is allocated for.
/// \gosrc{mheap.go,spanAllocType}
enum spanAllocType : uint8 {
  spanAllocHeap = 0,
  spanAllocStack = 1,
  spanAllocPtrScalarBits = 2,
  spanAllocWorkBuf = 3,
};

NOSPLIT_INLINE bool manual(spanAllocType s);

}  // namespace runtime

// The mcentrals need spanClass and mspan; mheap below needs them complete.
#define GORT_MHEAP_BASE
#include "mcentral.hpp"

namespace runtime {

/// heapArenaL2: a second-level block of the arena map, one entry per arena
/// of its share of the address space (Go: [1 << arenaL2Bits]*heapArena).
inline constexpr uintptr heapArenaL2Entries = uintptr(1) << arenaL2Bits;
using heapArenaL2 = atomic::Racy<heapArena*>[heapArenaL2Entries];

/// mheap: the page heap. One, mheap_. \gosrc{mheap.go,mheap}
struct mheap : sys::NotInHeap {
  mutex lock;
  pageAlloc pages;  // the page allocator

  uint32 sweepgen;  // the sweep generation; written only with the world stopped

  notInHeapSlice<mspan*> allspans;  // every span ever created

  // The sweeper's pacing (mgcsweep.go): present, unused until the collector.
  atomic::Uintptr pagesInUse;  // pages of in-use (heap) spans
  atomic::Uint64 pagesSwept;
  atomic::Uint64 pagesSweptBasis;
  // The proportional sweep's pacing (gcPaceSweeper): written with the lock
  // held or the world stopped, read without (deductSweepCredit), as in Go.
  atomic::Racy<uint64> sweepHeapLiveBasis;
  atomic::Racy<double> sweepPagesPerByte;
  atomic::Uint64 reclaimIndex;
  atomic::Uintptr reclaimCredit;

  // arenas: the arena map, arenas[l1][l2] (one L1 entry on linux/amd64).
  // Written under the lock, read without it (spanOf): atomic::Racy.
  alignas(cpu::CacheLinePadSize) atomic::Racy<heapArenaL2*> arenas[uintptr(1) << arenaL1Bits];

  bool arenasHugePages;  // new L2 maps are backed by huge pages

  linearAlloc heapArenaAlloc;  // heapArenas' own reservation (32-bit only)

  arenaHint* arenaHints;  // where to grow the heap next

  linearAlloc arena;  // a pre-reservation of the heap (32-bit only)

  notInHeapSlice<arenaIdx> allArenas;    // every arena mapped
  notInHeapSlice<arenaIdx> sweepArenas;  // allArenas at the start of a sweep
  notInHeapSlice<arenaIdx> markArenas;   // allArenas at the start of a mark

  // curArena: the part of the last arena reservation not yet given to the
  // page allocator.
  struct {
    uintptr base, end;
  } curArena;

  // central: one mcentral per span class, each padded to cache lines of
  // its own ([central-pad]).
  struct alignas(cpu::CacheLinePadSize) centralEntry {
    struct mcentral mcentral;
  };
  centralEntry central[numSpanClasses];

  fixalloc spanalloc;   // mspans
  fixalloc cachealloc;  // mcaches
  fixalloc specialfinalizeralloc;  // specialfinalizers, under speciallock
  fixalloc specialReachableAlloc;  // specialReachables, under speciallock
  // Go also has fixallocs for the other specials (profiles, pin counters),
  // which come with the profiler and the pinner.
  mutex speciallock;        // guards the specials' fixallocs
  fixalloc arenaHintAlloc;  // arenaHints

  // userArena: hints for user arenas (arena.go, the arenas experiment):
  // mallocinit gives it half of the hints, as in Go; nothing else uses it.
  struct {
    arenaHint* arenaHints;
  } userArena;

  void init();
  void reclaim(uintptr npage);
  uintptr reclaimChunk(notInHeapSlice<arenaIdx> arenas, uintptr pageIdx, uintptr n);
  mspan* alloc(uintptr npages, spanClass spanclass);
  SYSTEMSTACK mspan* allocManual(uintptr npages, spanAllocType typ);
  void setSpans(uintptr base, uintptr npage, mspan* s);
  bool allocNeedsZero(uintptr base, uintptr npage);
  SYSTEMSTACK mspan* tryAllocMSpan();
  SYSTEMSTACK mspan* allocMSpanLocked();
  SYSTEMSTACK void freeMSpanLocked(mspan* s);
  SYSTEMSTACK mspan* allocSpan(uintptr npages, spanAllocType typ, spanClass spanclass);
  void initSpan(mspan* s, spanAllocType typ, spanClass spanclass, uintptr base, uintptr npages);
  /// grow's two results: the bytes the heap grew by, and whether it could.
  struct growResult {
    uintptr growth;
    bool ok;
  };
  growResult grow(uintptr npage);
  void freeSpan(mspan* s);
  SYSTEMSTACK void freeManual(mspan* s, spanAllocType typ);
  mspan* nextSpanForSweep();  // mgcsweep.go
  void freeSpanLocked(mspan* s, spanAllocType typ);
  SYSTEMSTACK void scavengeAll();

  // malloc.go
  /// sysAlloc's two results: the reservation (nullptr on failure) and its size.
  struct sysAllocResult {
    void* v;
    uintptr size;
  };
  sysAllocResult sysAlloc(uintptr n, arenaHint** hintList, bool register_);
  SYSTEMSTACK void enableMetadataHugePages();
};

/// mheap_: the heap. \gosrc{mheap.go,mheap_}
extern mheap mheap_;

NOWRITEBARRIERREC void recordspan(void* vh, void* p);
NOWRITEBARRIER NOSPLIT bool inheap(uintptr b);
NOWRITEBARRIER NOSPLIT bool inHeapOrStack(uintptr b);
NOSPLIT_INLINE mspan* spanOf(uintptr p);
NOSPLIT_INLINE mspan* spanOfUnchecked(uintptr p);
NOSPLIT mspan* spanOfHeap(uintptr p);
/// pageIndexOf's three results.
struct pageIndex {
  heapArena* arena;
  uintptr pageIdx;
  uint8 pageMask;
};
NOSPLIT_INLINE pageIndex pageIndexOf(uintptr p);

// The specials (mheap.go, after mSpanList).
void spanHasSpecials(mspan* s);
void spanHasNoSpecials(mspan* s);
bool addspecial(void* p, special* s);
special* removespecial(void* p, uint8 kind);
bool addfinalizer(void* p, funcval* f, uintptr nret, const _type* fint, const ptrtype* ot);
void removefinalizer(void* p);
void freeSpecial(special* s, void* p, uintptr size);

// mbitmap.go
/// findObject's three results: the object's base (0 if p is in no heap
/// object), its span and its index there.
struct foundObject {
  uintptr base;
  mspan* s;
  uintptr objIndex;
};
[[noreturn]] void badPointer(mspan* s, uintptr p, uintptr refBase, uintptr refOff);
NOSPLIT_INLINE foundObject findObject(uintptr p, uintptr refBase, uintptr refOff);
markBits markBitsForAddr(uintptr p);
markBits markBitsForSpan(uintptr base);

// mbitmap_allocheaders.go
/// mallocHeaderSize: the size of the type pointer in front of an object
/// that keeps its pointer map in a header. \gosrc{mbitmap_allocheaders.go,mallocHeaderSize}
inline constexpr uintptr mallocHeaderSize = 8;

/// ptrBits: the bits of a pointer-sized word. \gosrc{mbitmap.go,ptrBits}
inline constexpr uintptr ptrBits = 8 * sizeof(uintptr);

/// nextFast: the next pointer in the current mask, without refilling it;
/// addr 0 when the mask is empty. Defined here, not in
/// mbitmap_allocheaders.cpp, so that scanobject's loop inlines it and keeps
/// the iterator in registers (called out of line, its five-word result went
/// through memory on every pointer). \gosrc{mbitmap_allocheaders.go,typePointers.nextFast}
NOSPLIT_INLINE typePointers::nextResult typePointers::nextFast() const {
  typePointers tp = *this;
  if (tp.mask == 0) return {tp, 0};
  int i = sys::TrailingZeros64(uint64(tp.mask));
  tp.mask ^= uintptr(1) << (i & (ptrBits - 1));
  return {tp, tp.addr + uintptr(i) * sizeof(uintptr)};
}

/// minSizeForMallocHeader: objects up to this size (inclusive) with
/// pointers keep their pointer bitmap at the end of the span; larger ones
/// carry a malloc header. \gosrc{mbitmap_allocheaders.go,minSizeForMallocHeader}
inline constexpr uintptr minSizeForMallocHeader = sizeof(uintptr) * ptrBits;

/// heapBitsInSpan: whether an object of userSize keeps its pointer bits at
/// the end of its span. \gosrc{mbitmap_allocheaders.go,heapBitsInSpan}
NOSPLIT_INLINE constexpr bool heapBitsInSpan(uintptr userSize) {
  return userSize <= minSizeForMallocHeader;
}

NOSPLIT notInHeapSlice<uintptr> heapBitsSlice(uintptr spanBase, uintptr spanSize);
uintptr heapSetType(uintptr x, uintptr dataSize, const _type* typ, const _type** header, mspan* span);
int getgcmask(void* p, const _type* et, uint8* mask, int maskLen);
/// readUintptr: the word at p, which need not be aligned (a type's GCData
/// is a byte array). Inline, as Go's compiler inlines it: it is one load,
/// on the paths of every small allocation (writeHeapBitsSmall) and every
/// scanned object (typePointersOf). \gosrc{mbitmap.go,readUintptr}
NOSPLIT_INLINE uintptr readUintptr(const uint8* p) {
  uintptr x;
  __builtin_memcpy(&x, p, sizeof(x));
  // (Go swaps the bytes on big-endian machines.)
  return x;
}

// mallocgc's fast path (malloc.go), here because it needs mspan complete.
NOSPLIT_INLINE gclinkptr nextFreeFast(mspan* s);

/// nextFreeFast: the next free object of s if its allocCache has one
/// without a refill, else 0. \gosrc{malloc.go,nextFreeFast}
NOSPLIT_INLINE gclinkptr nextFreeFast(mspan* s) {
  int theBit = sys::TrailingZeros64(s->allocCache);  // a free object in the cache?
  if (theBit < 64) {
    uint16 result = uint16(s->freeindex + uint16(theBit));
    if (result < s->nelems) {
      uint16 freeidx = uint16(result + 1);
      // A multiple of 64 needs a refill of the cache: the slow path does it.
      if (freeidx % 64 == 0 && freeidx != s->nelems) return 0;
      // Go's shift by theBit+1 gives 0 at 64; two shifts keep that defined
      // in C++ (a shift by 64 is not).
      s->allocCache = (s->allocCache >> uint(theBit)) >> 1;
      s->freeindex = freeidx;
      s->allocCount++;
      return gclinkptr(uintptr(result) * s->elemsize + s->base());
    }
  }
  return 0;
}

// --- Defined here to be inlined ---------------------------------------------------
// The lookups the collector's scan loops make for every pointer they find
// (scanobject, scanblock, scanConservative, greyobject): spanOf and
// spanOfUnchecked (mheap.go), gcBits.bytep and gcBits.bitp (mheap.go),
// mspan.markBitsForIndex, markBits.isMarked and markBits.setMarked
// (mbitmap.go). Go's compiler inlines them; defined in mheap.cpp and
// mbitmap.cpp they were calls from the other files. They are listed with
// their Go files in the fidelity report all the same.

/// spanOf: the span that holds or last held the page of p, or nullptr if
/// p is outside every arena or its page never had a span. The span may not
/// contain p ([spans-map]): callers that cannot rule that out check.
/// \gosrc{mheap.go,spanOf}
NOSPLIT_INLINE mspan* spanOf(uintptr p) {
  arenaIdx ri = arenaIndex(p);
  if constexpr (arenaL1Bits == 0) {
    // With no L1, only l2 can be out of range.
    if (ri.l2() >= uint(uintptr(1) << arenaL2Bits)) return nullptr;
  } else {
    if (ri.l1() >= uint(uintptr(1) << arenaL1Bits)) return nullptr;
  }
  auto* l2 = mheap_.arenas[ri.l1()].load();
  if (l2 == nullptr) return nullptr;  // (only possible with an L1 in Go)
  heapArena* ha = (*l2)[ri.l2()].load();
  if (ha == nullptr) return nullptr;
  return ha->spans[(p / pageSize) % pagesPerArena];
}

/// spanOfUnchecked: spanOf for a p known to be in an allocated arena.
/// \gosrc{mheap.go,spanOfUnchecked}
NOSPLIT_INLINE mspan* spanOfUnchecked(uintptr p) {
  arenaIdx ai = arenaIndex(p);
  return (*mheap_.arenas[ai.l1()].load())[ai.l2()].load()->spans[(p / pageSize) % pagesPerArena];
}

/// pageIndexOf: the arena of p, the byte of p's page in its page bitmaps,
/// and the page's bit there. p must be in the heap.
/// \gosrc{mheap.go,pageIndexOf}
NOSPLIT_INLINE pageIndex pageIndexOf(uintptr p) {
  arenaIdx ai = arenaIndex(p);
  heapArena* arena = (*mheap_.arenas[ai.l1()].load())[ai.l2()].load();
  uintptr pageIdx = ((p / pageSize) / 8) % uintptr(sizeof(arena->pageInUse));
  uint8 pageMask = uint8(1 << ((p / pageSize) % 8));
  return {arena, pageIdx, pageMask};
}

/// manual: a manually managed span (not the heap's).
/// \gosrc{mheap.go,spanAllocType.manual}
NOSPLIT_INLINE bool manual(spanAllocType s) { return s != spanAllocHeap; }

/// bytep: the n'th byte of the bitmap. \gosrc{mheap.go,gcBits.bytep}
inline uint8* gcBits::bytep(uintptr n) { return &x + n; }

/// bitp: the byte that holds bit n and the bit's mask.
/// \gosrc{mheap.go,gcBits.bitp}
inline gcBits::bit gcBits::bitp(uintptr n) { return {bytep(n / 8), uint8(1 << (n % 8))}; }

/// markBitsForIndex: the mark bit of object objIndex.
/// \gosrc{mbitmap.go,mspan.markBitsForIndex}
inline markBits mspan::markBitsForIndex(uintptr objIndex_) {
  auto [bytep, mask] = gcmarkBits->bitp(objIndex_);
  return markBits{bytep, mask, objIndex_};
}

/// isMarked. \gosrc{mbitmap.go,markBits.isMarked}
/// (An atomic load: other threads of the mark set bits of the same byte
/// with setMarked. Go's read is plain; on amd64 both are one MOV.)
inline bool markBits::isMarked() const { return (atomic::Load8(bytep) & mask) != 0; }

/// setMarked: set the bit, atomically (others may be setting bits of the
/// same byte). \gosrc{mbitmap.go,markBits.setMarked}
inline void markBits::setMarked() const { atomic::Or8(bytep, mask); }

/// findObject: the heap object p points into: its base, span and index;
/// base 0 if p is not in an allocated heap object. A pointer into memory
/// the heap never had (an mmap of someone else's) or into a stack is no
/// error; one into a part of the heap that holds no objects is, unless
/// GODEBUG=invalidptr=0 (badPointer). Only exact pointers may come here:
/// the collector's conservative scans look candidates up with spanOfHeap.
/// NOSPLIT: p may point into the caller's own stack.
/// \gosrc{mbitmap.go,findObject}
///
/// Departure: Go also reports its compiler's clobberdead value (with
/// -clobberdead, a dead stack slot holds 0xdeaddeaddeaddead); no C++
/// compiler writes it.
///
/// Defined here to be inlined, for its three-word result: Go returns it
/// in registers, C++ through memory, which scanobject then read back for
/// every pointer it found.
NOSPLIT_INLINE foundObject findObject(uintptr p, uintptr refBase, uintptr refOff) {
  mspan* s = spanOf(p);
  // Never part of the heap: some other mapping, which is fine.
  if (s == nullptr) return {0, nullptr, 0};
  // The state first: it orders the reads of the rest of the span after its
  // initialisation ([span-publish]).
  mSpanState state = s->state.get();
  // Inlined into the scan loops, which ThreadSanitizer does not instrument
  // (GC_SCAN_ATTR, mgcmark.cpp), that acquire is invisible to it, and the
  // caller's greyobject, which it does instrument, would then seem to race
  // with initSpan on the span's mark bits: so a TSan build says it again.
  if constexpr (raceenabled) raceacquire(&s->state);
  if (state != mSpanInUse || p < s->base() || p >= s->limit) {
    // Pointers into stacks are fine: the runtime manages those itself.
    if (state == mSpanManual) return {0, nullptr, 0};
    // The heap's own structures hold only pointers that are valid.
    if (debug.invalidptr != 0) badPointer(s, p, refBase, refOff);
    return {0, nullptr, 0};
  }

  uintptr objIndex = s->objIndex(p);
  uintptr base = s->base() + objIndex * s->elemsize;
  return {base, s, objIndex};
}

// The iterator scanobject walks for every object it scans: Go's
// typePointersOfUnchecked and next return it in registers; in C++ its four
// words are returned through memory, and copying them back out with 16-byte
// loads of 8-byte stores stalled the scan loop (store forwarding fails) on
// every object. Inlined, the iterator stays in registers. (nextFast is
// above, with the other constants of mbitmap_allocheaders.go.) With
// findObject inlined too (above), the collection of a depth-22 binary tree
// (8 million 16-byte nodes, GOMAXPROCS=1) went from 316 to 214 ms, the
// medians of nine runs alternating with Go's 193 ms.

/// lowMask: n one bits, Go's (1 << n) - 1 for n up to 64. Go defines a
/// shift by the width or more (it gives 0, so the mask is all ones); in C++
/// it is undefined, and x86 shifts by n mod 64 (so 1 << 64 is 1 and the mask
/// 0): a 512-byte object (64 words, the largest without a malloc header)
/// would lose its pointer bits.
NOSPLIT_INLINE uintptr lowMask(uintptr n) { return n >= 64 ? ~uintptr(0) : (uintptr(1) << n) - 1; }

/// loadHeader: read a small object's malloc header (storeHeader, in
/// mbitmap_allocheaders.cpp, writes it). Departure: Go's runtime is not
/// compiled with AddressSanitizer, so its accesses to the header, which
/// lies outside the bytes the program may touch (poisoned in an ASan build:
/// mcentral.grow, mallocgc), go unchecked; the port's runtime is
/// instrumented, so both go through an asm operand, which ASan does not
/// check (as memclrNoHeapPointers does, stubs.hpp). The instruction is the
/// plain 8-byte move in every build.
NOSPLIT_INLINE const _type* loadHeader(uintptr addr) {
  const _type* t;
  asm volatile("movq %1, %0" : "=r"(t) : "m"(*reinterpret_cast<const _type* const*>(addr)));
  return t;
}

/// typePointersOfUnchecked: an iterator over the pointers of the object
/// at addr, which must be its base: from the span's bitmap for a small
/// object, else from its type (the malloc header, or largeType for a large
/// object). A noscan object has none. \gosrc{mbitmap_allocheaders.go,mspan.typePointersOfUnchecked}
NOSPLIT_INLINE typePointers mspan::typePointersOfUnchecked(uintptr addr) {
  // (Go's doubleCheck of addr against objBase is left out: it is a
  // constant false.)
  spanClass spc = spanclass;
  if (spc.noscan()) return typePointers{};
  if (heapBitsInSpan(elemsize)) {
    // No header: the bits are at the end of the span.
    return typePointers{addr, addr, heapBitsSmallForAddr(addr), nullptr};
  }

  // The object has a header.
  const _type* typ;
  if (spc.sizeclass() != 0) {
    // In its first word; the object proper follows.
    typ = loadHeader(addr);
    addr += mallocHeaderSize;
  } else {
    typ = largeType;
  }
  const uint8* gcdata = typ->GCData;
  return typePointers{addr, addr, readUintptr(gcdata), typ};
}

/// next: the next pointer below limit, refilling the mask from the type's
/// GCData (and moving to the next element) as needed; addr 0 at the end.
/// Always inlined: a function declared plain `inline` may be emitted out of
/// line, and the linker may keep the copy from a user's object file, in
/// .text, where a signal may preempt it (gort_text is the runtime's own;
/// chapter 18). The ASan build did that with this one:
/// bulkBarrierPreWriteSrcOnly, preempted inside next, went on with the
/// write-barrier buffer of the P it had left. (markBitsForIndex and the
/// other plain inline functions above lay in gort_text in the builds
/// checked, by the order of the link, not by rule.)
/// \gosrc{mbitmap_allocheaders.go,typePointers.next}
NOSPLIT_INLINE typePointers::nextResult typePointers::next(uintptr limit) const {
  typePointers tp = *this;
  for (;;) {
    if (tp.mask != 0) return tp.nextFast();

    // Bits from the span's bitmap are all there is.
    if (tp.typ == nullptr) return {typePointers{}, 0};

    // The next ptrBits words: in this element, or the next element's start
    // if this one's pointers are done.
    if (tp.addr + sizeof(uintptr) * ptrBits >= tp.elem + tp.typ->PtrBytes) {
      tp.elem += tp.typ->size;
      tp.addr = tp.elem;
    } else {
      tp.addr += ptrBits * sizeof(uintptr);
    }

    if (tp.addr >= limit) return {typePointers{}, 0};

    tp.mask = readUintptr(addb(const_cast<uint8*>(tp.typ->GCData), (tp.addr - tp.elem) / sizeof(uintptr) / 8));
    // Drop the bits at or past limit.
    if (tp.addr + sizeof(uintptr) * ptrBits > limit) {
      uintptr bits = (tp.addr + sizeof(uintptr) * ptrBits - limit) / sizeof(uintptr);
      tp.mask &= ~(lowMask(bits) << (ptrBits - bits));
    }
  }
}

}  // namespace runtime
