// mwbbuf.hpp: the write-barrier entry point and its buffer, mirroring
// mwbbuf.go at go1.22.12 (wbBuf, wbBufFlush) and the gcWriteBarrier routines
// Go keeps in asm_amd64.s.
//
// In Go, the compiler turns every store of a pointer into the heap into
//   if writeBarrier.enabled { buf := gcWriteBarrier2(); buf[0] = new; buf[1] = *slot }
//   *slot = new
// (cmd/compile/internal/ssa/writebarrier.go). The port has no compiler pass,
// so runtime code spells that sequence as writebarrierptr(slot, new), an
// always-inlined template whose recording half is out of line (wbRecord),
// and tools/gocheck.py treats a call of wbRecord or any gcWriteBarrier* as
// a write barrier in the calling function: the rule behind NOWRITEBARRIER
// and NOWRITEBARRIERREC (pragmas.hpp).
//
// The collector enables barriers while it marks (setGCPhase, mgc.cpp);
// otherwise every barrier is a load, a test and a branch after the store
// ([wb-order] at writebarrierptr says why after).
//
// Invariants:
//   [wb-entry]   the out-of-line barrier entries are gcWriteBarrier and
//                wbRecord (a pointer store's barrier); they and
//                everything they call are NOSPLIT (Go: gcWriteBarrier<> is
//                NOSPLIT, wbBufFlush is nosplit, and nothing under them may
//                grow the stack while a pointer is half-written).
//   [wb-buf]     b.next and b.end bracket the free part of b.buf; entries
//                below b.next are (new, old) pointer pairs not yet handed to
//                the collector.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "internal/atomic/atomic.hpp"
#include "pragmas.hpp"

namespace runtime {

// (runtime2.hpp includes this file before its structures, whose GC
// references are heapPtrs, so it needs only these.)
using uint8 = uint8_t;
using uint64 = uint64_t;
using uintptr = uintptr_t;
struct p;

/// The global barrier switch (Go: mgc.go's writeBarrier). Generated code in
/// Go reads `enabled` with one 32-bit load, hence the padding.
/// Departure: declared here (defined in mgc.cpp), so that runtime2.hpp's p
/// and type.hpp's gort::ptr see it without mgc.hpp. \gosrc{mgc.go,writeBarrier}
struct writeBarrier_t {
  bool enabled;   // tested before every barrier
  uint8 pad[3];   // keeps a 32-bit read of `enabled` inside the struct
  uint64 alignme;
};
extern writeBarrier_t writeBarrier;

// wbBuf and its sizes are declared in runtime2.hpp: the P embeds one (p.wbBuf_).

/// wbBufFlush empties the current buffer into the collector's work queue.
/// \gosrc{mwbbuf.go,wbBufFlush}
NOWRITEBARRIERREC NOSPLIT void wbBufFlush();

/// wbBufFlush1 greys what pp's buffer records and empties it.
/// \gosrc{mwbbuf.go,wbBufFlush1}
NOWRITEBARRIERREC SYSTEMSTACK void wbBufFlush1(p* pp);

/// gcWriteBarrier reserves nbytes (a multiple of the word size, at most
/// wbMaxEntriesPerCall words) in the current buffer and returns the slots,
/// flushing first when they do not fit. Go: asm_amd64.s's gcWriteBarrier<>,
/// reached with the byte count in R11. [wb-entry]
/// \gosrc{asm_amd64.s,gcWriteBarrier}
NOSPLIT uintptr* gcWriteBarrier(uintptr nbytes);

// gcWriteBarrier1..8 (asm_amd64.s): the entry points the compiler calls,
// one per number of slots wanted.
/// \gosrc{asm_amd64.s,gcWriteBarrier1}
NOSPLIT_INLINE uintptr* gcWriteBarrier1() { return gcWriteBarrier(1 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier2}
NOSPLIT_INLINE uintptr* gcWriteBarrier2() { return gcWriteBarrier(2 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier3}
NOSPLIT_INLINE uintptr* gcWriteBarrier3() { return gcWriteBarrier(3 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier4}
NOSPLIT_INLINE uintptr* gcWriteBarrier4() { return gcWriteBarrier(4 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier5}
NOSPLIT_INLINE uintptr* gcWriteBarrier5() { return gcWriteBarrier(5 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier6}
NOSPLIT_INLINE uintptr* gcWriteBarrier6() { return gcWriteBarrier(6 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier7}
NOSPLIT_INLINE uintptr* gcWriteBarrier7() { return gcWriteBarrier(7 * sizeof(uintptr)); }
/// \gosrc{asm_amd64.s,gcWriteBarrier8}
NOSPLIT_INLINE uintptr* gcWriteBarrier8() { return gcWriteBarrier(8 * sizeof(uintptr)); }

/// wbRecord records a pointer store's new and old value in the current
/// P's buffer for the collector, unless they are the same (the store
/// deleted no reference): the recording half of writebarrierptr,
/// out of line and in the runtime's text, so that no preemption signal stops
/// it between claiming two buffer slots and filling them ([as-text],
/// preempt.cpp: a claimed slot left unfilled would hand the collector
/// garbage). Port only: Go's compiler emits the same two stores inline
/// after a call of gcWriteBarrier2. [wb-entry]
NOSPLIT void wbRecord(uintptr ptr, uintptr old);

/// wbAfterStore is the barrier's half after the store of ptr over old
/// ([wb-order] at writebarrierptr): an empty asm with a memory clobber keeps
/// the compiler from moving a store that may be in memory past the test of
/// writeBarrier.enabled (it is no instruction, and a local variable whose
/// address never escapes stays in a register across it); then, while the
/// collector marks, both values are recorded unless the store changed
/// nothing.
NOSPLIT_INLINE void wbAfterStore(uintptr ptr, uintptr old) {
  asm volatile("" ::: "memory");
  // A store the compiler can see changes nothing (s = s[0:n] keeps the
  // array) needs no barrier at all.
  if (__builtin_constant_p(ptr == old) && ptr == old) return;
  // Otherwise only the flag is tested here, with the hint that it is off:
  // every store then costs one load and one branch not taken, whether it
  // changes the word or not (an append within capacity stores the same
  // array again). wbRecord tests ptr != old; tested here, one of the two
  // kinds of store took a branch.
  if (__builtin_expect(writeBarrier.enabled, false)) wbRecord(ptr, old);
}

/// writebarrierptr performs `*slot = ptr` with the barrier Go's compiler
/// would insert around it: while the collector marks, the new and the old
/// value are recorded for it.
///
/// [wb-order] The store comes first and the test of writeBarrier.enabled
/// after it, the reverse of Go's order, because this code is inlined into
/// user functions, where a preemption signal may stop a goroutine between
/// any two instructions, and where Go's compiler would have declared the
/// sequence an unsafe point. Stopped between the store and the test:
///   - if a cycle started meanwhile, the test finds barriers on and
///     records both values: one record more than needed;
///   - if the cycle's mark ended meanwhile, the test finds them off and
///     records nothing, but the old value the collector needed to see is
///     still in the stopped goroutine's registers or frame, and gcMarkDone
///     scans every goroutine stopped by a signal before it ends the mark
///     (gcMarkDoneAsyncStopped, mgc.cpp).
/// In Go's order a goroutine stopped between the test (off) and the store
/// would, after a cycle started, overwrite the old value unrecorded, and
/// no later scan could find it.
///
/// A store of the value the slot holds already records nothing: no
/// reference is deleted, and the collector finds the value where it was.
/// (`s = append(s, v)` stores the same array again until the slice grows;
/// on a local slice, which Go would give no barrier at all, that kept the
/// buffer flushing all through a mark.) Port only.
/// Departure: Go's compiler expands this inline at every pointer store into
/// the heap (cmd/compile/internal/ssa/writebarrier.go); the name is the one
/// the runtime used for the same job before go1.10.
template <class T>
NOSPLIT_INLINE void writebarrierptr(T** slot, T* ptr) {
  T* old = *slot;
  *slot = ptr;
  wbAfterStore(reinterpret_cast<uintptr>(ptr), reinterpret_cast<uintptr>(old));
}

/// writebarrierptr for a word that is also read without a lock
/// (atomic::Racy): the same barrier with Racy's release store.
template <class T>
NOSPLIT_INLINE void writebarrierptr(atomic::Racy<T*>* slot, T* ptr) {
  T* old = __atomic_load_n(&slot->v, __ATOMIC_RELAXED);
  *slot = ptr;
  wbAfterStore(reinterpret_cast<uintptr>(ptr), reinterpret_cast<uintptr>(old));
}

/// heapPtr<T>: one pointer word that may sit in the heap or a global, where
/// the collector reads it, so every store into it goes through Go's write
/// barrier (Go's compiler emits the barrier at each pointer store it cannot
/// prove goes to the stack; C++ cannot tell, so every store pays the test).
/// The word inside gort::ptr, gort::chan and gort::slice ([gc-refs]).
///   - assignment: writebarrierptr, the hybrid barrier: while the collector
///     marks, the old value and the new are recorded (shaded);
///   - construction: nothing here. The copy constructor stays trivial, so
///     that a gort::ptr is passed and returned in a register, as a Go
///     pointer is (a non-trivial one would go through memory, leaving
///     copies in stack slots that the conservative stack scan then finds:
///     binary-trees' live heap doubled). The runtime records the
///     references a new heap value is built with where it builds one
///     (initBarrier: newobject, gc_allocator::construct, a go statement's
///     closure; growslice's and typedmemmove's bulk barriers);
///   - destruction: nothing; the runtime and gc_allocator shade the words
///     of a heap value before they end its life (typedmemclr,
///     gc_allocator::destroy), as Go's memclrHasPointers does.
/// So a GC reference in the heap is changed by assignment, never by
/// constructing or destroying one in place.
/// Departure: Go's pointers need no such type; the port's GC references
/// are this class so that C++ assignments carry the barrier.
template <class T>
class heapPtr {
 public:
  heapPtr() = default;
  constexpr heapPtr(std::nullptr_t) {}
  constexpr heapPtr(T* p) noexcept : p_(p) {}
  heapPtr(const heapPtr&) = default;
  heapPtr& operator=(const heapPtr& o) noexcept {
    writebarrierptr(&p_, o.p_);
    return *this;
  }
  heapPtr& operator=(T* p) noexcept {
    writebarrierptr(&p_, p);
    return *this;
  }
  operator T*() const { return p_; }
  T* operator->() const { return p_; }
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
};
static_assert(sizeof(heapPtr<int>) == sizeof(void*));
static_assert(std::is_trivially_copy_constructible_v<heapPtr<int>> && std::is_trivially_destructible_v<heapPtr<int>>,
              "heapPtr must be passed in registers (see above)");

/// racyHeapPtr<T>: a heapPtr that is also read without a lock
/// (atomic::Racy: a release store, an acquire load): a wait queue's ends.
template <class T>
struct racyHeapPtr : atomic::Racy<T*> {
  NOSPLIT_INLINE racyHeapPtr& operator=(T* x) {
    writebarrierptr(static_cast<atomic::Racy<T*>*>(this), x);
    return *this;
  }
};

/// atomicstorep: *slot = v as one atomic store, with the write barrier.
/// For a global read without a lock (allgs, allm). \gosrc{atomic_pointer.go,atomicstorep}
template <class T>
NOSPLIT_INLINE void atomicstorep(T** slot, T* v) {
  if (writeBarrier.enabled) {
    uintptr* buf = gcWriteBarrier2();
    buf[0] = reinterpret_cast<uintptr>(v);
    buf[1] = reinterpret_cast<uintptr>(__atomic_load_n(slot, __ATOMIC_RELAXED));
  }
  __atomic_store_n(slot, v, __ATOMIC_SEQ_CST);
}

}  // namespace runtime

// The rest of the runtime's structures, for the files that include only this
// one (runtime2.hpp includes this file before them; #pragma once ends the loop).
#include "runtime2.hpp"
