// mspanset.cpp: the lock-free span set, mirroring mspanset.go at go1.22.12.
// See mspanset.hpp for the structure, [ss-headtail], [ss-spine] and
// [ss-recycle].
#include "mspanset.hpp"

#include "internal/cpu/cpu.hpp"
#include "malloc.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

spanSetBlockAlloc spanSetBlockPool;

/// push: add s. Safe alongside any other push and pop.
/// \gosrc{mspanset.go,spanSet.push}
void spanSet::push(mspan* s) {
  // Claim a slot.
  uintptr cursor = uintptr(index.incTail().tail() - 1);
  uintptr top = cursor / spanSetBlockEntries, bottom = cursor % spanSetBlockEntries;

  // Is the slot's block in the spine yet?
  uintptr spineLen_ = spineLen.Load();
  spanSetBlock* block;
retry:
  if (top < spineLen_) {
    block = spine.Load().lookup(top)->Load();
  } else {
    // Add a block, growing the spine if it is full. Under the lock,
    // spineLen cannot change, but it may have while this thread waited.
    lock(&spineLock);
    spineLen_ = spineLen.Load();
    if (top < spineLen_) {
      unlock(&spineLock);
      goto retry;
    }

    spanSetSpinePointer spine_ = spine.Load();
    if (spineLen_ == spineCap) {
      // Double the spine. The old one is not freed: a push with a lower
      // index may still be reading it, and old spines cost little (under
      // 2 MiB for a 1 TiB heap).
      uintptr newCap = spineCap * 2;
      if (newCap == 0) newCap = spanSetInitSpineCap;
      void* newSpine = persistentalloc(newCap * sizeof(void*), cpu::CacheLineSize, &memstats.gcMiscSys);
      if (spineCap != 0) {
        // Go copies with memmove; the entries are read atomically by other
        // threads, so the port copies them one atomic word at a time.
        for (uintptr i = 0; i < spineCap; i++) {
          spanSetSpinePointer{newSpine}.lookup(i)->Store(spine_.lookup(i)->Load());
        }
      }
      spine_ = spanSetSpinePointer{newSpine};
      spine.StoreNoWB(spine_);
      spineCap = newCap;
    }

    // A block from the pool, then into the spine, then publish the length
    // ([ss-spine]).
    block = spanSetBlockPool.alloc();
    spine_.lookup(top)->Store(block);
    spineLen.Store(spineLen_ + 1);
    unlock(&spineLock);
  }

  // Fill the slot; a pop of it may be spinning for the value already.
  block->spans[bottom].StoreNoWB(s);
}

/// pop: remove and return some span, or nullptr if the set is (or looks)
/// empty. Safe alongside any other push and pop. \gosrc{mspanset.go,spanSet.pop}
mspan* spanSet::pop() {
  uint32 head, tail;
  for (;;) {
    headTailIndex headtail = index.load();
    head = headtail.head();
    tail = headtail.tail();
    if (head >= tail) {
      // Empty, as far as this load can tell.
      return nullptr;
    }
    // The slot at head may be in a block a push is still adding; rather
    // than wait for it, report the set empty.
    uintptr spineLen_ = spineLen.Load();
    if (spineLen_ <= uintptr(head) / spanSetBlockEntries) return nullptr;

    // Claim head. A push moving the tail makes the CAS fail without
    // changing head: retry as long as head is the one wanted.
    uint32 want = head;
    bool claimed = false;
    while (want == head) {
      if (index.cas(headtail, makeHeadTailIndex(want + 1, tail))) {
        claimed = true;
        break;
      }
      headtail = index.load();
      head = headtail.head();
      tail = headtail.tail();
    }
    if (claimed) break;
    // Another popper took head first; the set may still have spans.
  }
  uintptr top = head / spanSetBlockEntries, bottom = head % spanSetBlockEntries;

  // The spine pointer may be stale, but spineLen was checked and only grows,
  // so the block is in it and non-nil ([ss-spine]).
  atomic::Pointer<spanSetBlock>* blockp = spine.Load().lookup(uintptr(top));
  spanSetBlock* block = blockp->Load();
  mspan* s = block->spans[bottom].Load();
  while (s == nullptr) {
    // The pusher has claimed the slot but not yet filled it; it will, soon.
    s = block->spans[bottom].Load();
  }
  // Clear the slot, so a mistaken reuse of the block reads nil, not a span.
  block->spans[bottom].StoreNoWB(nullptr);

  // The last popper to finish in this block recycles it ([ss-recycle]); no
  // pusher can still be headed for it, as every slot has been claimed.
  if (block->popped.Add(1) == spanSetBlockEntries) {
    blockp->Store(nullptr);
    spanSetBlockPool.free(block);
  }
  return s;
}

/// reset: empty the indices of a set that holds no spans, recycling the
/// block its head sits in. Not concurrent with any other operation on the
/// set. \gosrc{mspanset.go,spanSet.reset}
void spanSet::reset() {
  auto [head, tail] = index.load().split();
  if (head < tail) {
    print("head = ", head, ", tail = ", tail, "\n");
    throw_("attempt to clear non-empty span set");
  }
  uint32 top = head / spanSetBlockEntries;
  if (uintptr(top) < spineLen.Load()) {
    // The head's block may still be in the spine if the head caught up with
    // the tail inside it; it would leak once the indices restart at zero.
    atomic::Pointer<spanSetBlock>* blockp = spine.Load().lookup(uintptr(top));
    spanSetBlock* block = blockp->Load();
    if (block != nullptr) {
      if (block->popped.Load() == 0) {
        // A block in the spine with nothing popped would hold spans.
        throw_("span set block with unpopped elements found in reset");
      }
      if (block->popped.Load() == spanSetBlockEntries) {
        // Its last popper should have taken it out of the spine.
        throw_("fully empty unfreed span set block found in reset");
      }
      blockp->Store(nullptr);
      spanSetBlockPool.free(block);
    }
  }
  index.reset();
  spineLen.Store(0);
}

/// Load: the spine. \gosrc{mspanset.go,atomicSpanSetSpinePointer.Load}
spanSetSpinePointer atomicSpanSetSpinePointer::Load() { return spanSetSpinePointer{a.Load()}; }

/// StoreNoWB: set the spine (off-heap: no write barrier).
/// \gosrc{mspanset.go,atomicSpanSetSpinePointer.StoreNoWB}
void atomicSpanSetSpinePointer::StoreNoWB(spanSetSpinePointer p) { a.Store(p.p); }

/// lookup: &spine[idx]. \gosrc{mspanset.go,spanSetSpinePointer.lookup}
atomic::Pointer<spanSetBlock>* spanSetSpinePointer::lookup(uintptr idx) {
  return static_cast<atomic::Pointer<spanSetBlock>*>(add(p, sizeof(void*) * idx));
}

/// alloc: a block from the pool, or a new one.
/// \gosrc{mspanset.go,spanSetBlockAlloc.alloc}
spanSetBlock* spanSetBlockAlloc::alloc() {
  if (auto* s = static_cast<spanSetBlock*>(stack.pop()); s != nullptr) return s;
  return static_cast<spanSetBlock*>(
      persistentalloc(sizeof(spanSetBlock), cpu::CacheLineSize, &memstats.gcMiscSys));
}

/// free: back to the pool. \gosrc{mspanset.go,spanSetBlockAlloc.free}
void spanSetBlockAlloc::free(spanSetBlock* block) {
  block->popped.Store(0);
  stack.push(&block->lfnode_);
}

/// makeHeadTailIndex: head and tail in one word. \gosrc{mspanset.go,makeHeadTailIndex}
headTailIndex makeHeadTailIndex(uint32 head, uint32 tail) {
  return headTailIndex{uint64(head) << 32 | uint64(tail)};
}

/// head. \gosrc{mspanset.go,headTailIndex.head}
uint32 headTailIndex::head() const { return uint32(v >> 32); }

/// tail. \gosrc{mspanset.go,headTailIndex.tail}
uint32 headTailIndex::tail() const { return uint32(v); }

/// split: head and tail. \gosrc{mspanset.go,headTailIndex.split}
headTailIndex::parts headTailIndex::split() const { return {head(), tail()}; }

/// load. \gosrc{mspanset.go,atomicHeadTailIndex.load}
headTailIndex atomicHeadTailIndex::load() { return headTailIndex{u.Load()}; }

/// cas. \gosrc{mspanset.go,atomicHeadTailIndex.cas}
bool atomicHeadTailIndex::cas(headTailIndex old, headTailIndex nw) {
  return u.CompareAndSwap(old.v, nw.v);
}

/// incHead: head+1, returning the new value. \gosrc{mspanset.go,atomicHeadTailIndex.incHead}
headTailIndex atomicHeadTailIndex::incHead() { return headTailIndex{u.Add(uint64(1) << 32)}; }

/// decHead: head-1, returning the new value. \gosrc{mspanset.go,atomicHeadTailIndex.decHead}
headTailIndex atomicHeadTailIndex::decHead() { return headTailIndex{u.Add(-(uint64(1) << 32))}; }

/// incTail: tail+1, returning the new value; a wrap to 0 is fatal.
/// \gosrc{mspanset.go,atomicHeadTailIndex.incTail}
headTailIndex atomicHeadTailIndex::incTail() {
  headTailIndex ht{u.Add(1)};
  if (ht.tail() == 0) {
    print("runtime: head = ", ht.head(), ", tail = ", ht.tail(), "\n");
    throw_("headTailIndex overflow");
  }
  return ht;
}

/// reset: head and tail to zero. \gosrc{mspanset.go,atomicHeadTailIndex.reset}
void atomicHeadTailIndex::reset() { u.Store(0); }

/// Load. \gosrc{mspanset.go,atomicMSpanPointer.Load}
mspan* atomicMSpanPointer::Load() { return p.Load(); }

/// StoreNoWB. \gosrc{mspanset.go,atomicMSpanPointer.StoreNoWB}
void atomicMSpanPointer::StoreNoWB(mspan* s) { p.Store(s); }

}  // namespace runtime
