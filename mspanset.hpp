// mspanset.hpp: a lock-free set of spans, mirroring mspanset.go at
// go1.22.12 (functions in mspanset.cpp). Each mcentral keeps its spans in
// four of them (partial/full x swept/unswept, mcentral.hpp), so that
// mcaches on many Ps can take and return spans without a lock.
//
// The structure. A spanSet is a queue over the concatenation of fixed
// blocks of spanSetBlockEntries slots. A spine (an array of block pointers,
// persistentalloc'd and grown by doubling) indexes the blocks. One 64-bit
// word holds head and tail (32 bits each): push claims the slot at tail with
// an atomic add, pop claims the slot at head with a CAS. A block is
// returned to a global pool (an lfstack of blocks) by whichever popper
// finishes last in it, counted in block.popped; the spine only grows.
//
// Invariants:
//   [ss-headtail]  head <= tail; the slots [head, tail) are claimed by
//                  pushes (a slot's span may still be on its way: pop spins
//                  for it, briefly).
//   [ss-spine]     spineLen only grows, and is stored after the block it
//                  covers is in the spine, so a reader that sees an index
//                  below spineLen finds its block.
//   [ss-recycle]   a block goes back to the pool only once popped reaches
//                  spanSetBlockEntries: every popper of the block is done.
//
// Locks: spineLock serialises growing the spine and adding blocks; every
// other access is lock-free, through internal/atomic with Go's (sequentially
// consistent) orderings.
#pragma once
#include "internal/atomic/atomic.hpp"
#include "lfstack.hpp"
#include "runtime2.hpp"

namespace runtime {

/// spanSetBlockEntries, spanSetInitSpineCap: slots per block (4 KiB of
/// pointers) and the first spine's capacity (enough for a 1 GiB heap).
/// \gosrc{mspanset.go,spanSetBlockEntries}
inline constexpr uintptr spanSetBlockEntries = 512;
inline constexpr uintptr spanSetInitSpineCap = 256;

/// headTailIndex: head in the high 32 bits, tail in the low 32.
/// \gosrc{mspanset.go,headTailIndex}
struct headTailIndex {
  uint64 v;
  uint32 head() const;
  uint32 tail() const;
  /// split's two results.
  struct parts {
    uint32 head, tail;
  };
  parts split() const;
};
headTailIndex makeHeadTailIndex(uint32 head, uint32 tail);

/// atomicHeadTailIndex: a headTailIndex updated atomically.
/// \gosrc{mspanset.go,atomicHeadTailIndex}
struct atomicHeadTailIndex {
  atomic::Uint64 u;
  headTailIndex load();
  bool cas(headTailIndex old, headTailIndex nw);
  headTailIndex incHead();
  headTailIndex decHead();
  headTailIndex incTail();
  void reset();
};

/// atomicMSpanPointer: an atomic *mspan. \gosrc{mspanset.go,atomicMSpanPointer}
struct atomicMSpanPointer {
  atomic::Pointer<mspan> p;
  mspan* Load();
  void StoreNoWB(mspan* s);
};

/// spanSetBlock: one block of slots, poolable through its lfnode.
/// \gosrc{mspanset.go,spanSetBlock}
struct spanSetBlock {
  lfnode lfnode_;         // Departure: Go embeds lfnode (the type's name)
  atomic::Uint32 popped;  // pops done in this block ([ss-recycle])
  atomicMSpanPointer spans[spanSetBlockEntries];
};

/// spanSetSpinePointer: the spine, an array of block pointers.
/// \gosrc{mspanset.go,spanSetSpinePointer}
struct spanSetSpinePointer {
  void* p;
  atomic::Pointer<spanSetBlock>* lookup(uintptr idx);
};

/// atomicSpanSetSpinePointer: the spine pointer, read without the lock.
/// \gosrc{mspanset.go,atomicSpanSetSpinePointer}
struct atomicSpanSetSpinePointer {
  atomic::Pointer<void> a;
  spanSetSpinePointer Load();
  void StoreNoWB(spanSetSpinePointer p);
};

/// spanSet: the set. \gosrc{mspanset.go,spanSet}
struct spanSet {
  mutex spineLock;
  atomicSpanSetSpinePointer spine;
  atomic::Uintptr spineLen;  // [ss-spine]
  uintptr spineCap;          // under spineLock
  atomicHeadTailIndex index;  // [ss-headtail]

  void push(mspan* s);
  mspan* pop();
  void reset();
};

/// spanSetBlockAlloc: the pool of free blocks. \gosrc{mspanset.go,spanSetBlockAlloc}
struct spanSetBlockAlloc {
  lfstack stack;
  spanSetBlock* alloc();
  void free(spanSetBlock* block);
};

/// spanSetBlockPool: every spanSet's blocks come from here.
/// \gosrc{mspanset.go,spanSetBlockPool}
extern spanSetBlockAlloc spanSetBlockPool;

}  // namespace runtime
