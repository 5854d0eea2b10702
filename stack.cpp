// stack.cpp: goroutine stacks, mirroring stack.go at go1.22.12: stackinit,
// the global stackpool of stack spans and stackLarge, the per-P stack cache
// (mcache.stackcache, stackcacherefill, stackcacherelease), stackalloc,
// stackfree, and newstack.
//
// The stack model (Departure; the book's chapter 12, "Where the port departs
// from Go", says more under "Stacks"). Go
// starts goroutines on 2 KiB stacks and copies a stack to a larger one when a
// function prologue finds SP below g.stackguard0. C++ frames hold raw
// pointers into the stack, so a stack cannot move. Instead:
//   (a) every goroutine starts on a stack of fixedStack (32 KiB, stack.hpp)
//       bytes, carved as Go carves its small stacks: the stackpool takes a
//       _StackCacheSize span (sixteen stacks) from the heap with
//       mheap_.allocManual(spanAllocStack), and gives it back with
//       freeManual when its last stack comes back. The heap's arenas are
//       mapped without touching them (sysMap), and nothing here writes to a
//       stack but its top word (the free-list link), so the kernel commits
//       only the pages a goroutine touches: one or two 4 KiB pages for most.
//   (b) the heap arenas are a few large mappings, so a million stacks do
//       not exhaust vm.max_map_count.
//   (c) the bound is checked in software, as Go does: code built with
//       -fsplit-stack compares its new SP with the thread's guard word
//       (%fs:0x70) in every prologue; gogo keeps that word equal to
//       g.stackguard0 = stack.lo + stackGuard. Below it the prologue calls
//       __morestack (asm_amd64.S), which switches to g0 and calls newstack. Where the kernel
//       supports MADV_GUARD_INSTALL (Linux 6.13+), the lowest page of each
//       stack is also a guard page, so code built without -fsplit-stack
//       (libc, for instance) faults instead of writing past the end;
//       osStackAlloc installs those guards when a span becomes stacks and
//       osStackFree removes them before the span goes back to the heap.
//   (d) segments: when the frame a prologue asks for does not fit, newstack
//       does not copy the stack, as Go's does; it gives the goroutine a new
//       segment (twice the current one, up to 64 MiB, or whatever the frame
//       needs) and runs the function's body there, called from lessstack
//       (asm_amd64.S), the frame at the segment's top. When the body
//       returns, lessstack makes the older segment current again and
//       returns to the caller on it. The segment stays, linked as a spare,
//       so that a call crossing the same boundary in a loop (the "hot
//       split" that made Go 1.3 give up segments) allocates nothing; the
//       spares go when a collection scans the goroutine (shrinkstack) and
//       when it dies (gfput). A record at each segment's top (stktop,
//       stack.hpp) links the chain; the collector scans every segment in
//       use, and tracebacks and the unwinder cross from one to the next.
//       A goroutine may hold maxstacksize bytes of segments (1 GB, as Go);
//       past that newstack reports Go's overflow. This is gccgo's route
//       (libgcc's __morestack), done with the runtime's own allocator.
//
// Invariants:
//   [stack-size]  every stack from stackalloc is a power of two of at least
//                 fixedStack bytes (a first stack is startingStackSize, the
//                 main goroutine's mainStackSize in stack.hpp; segments
//                 are larger),
//                 page-aligned, inside one mSpanManual span.
//   [stack-link]  a free stack of order o links to the next through its top
//                 word (stackLink), not its lowest word as in Go: see
//                 stackLink.
//   [stack-pool]  stackpool[o].item.span lists the stack spans of order o
//                 with at least one free stack; each span's manualFreeList
//                 holds its free stacks and allocCount counts the others.
//                 stackpool[o].item.mu protects both.
// Locks: stackpool[o].item.mu and stackLarge.lock, each taken alone; the
// heap lock may be taken under either (allocManual, freeManual).
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "valgrind.hpp"

#include "asan.hpp"
#include "go_asm.h"
#include "mcache.hpp"
#include "mgc.hpp"
#include "mheap.hpp"
#include "mstats.hpp"
#include "preempt.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "race.hpp"
#include "stack.hpp"

namespace runtime {

/// startingStackSize: the size of a new goroutine's first stack (Go adapts
/// it to the average stack scanned, gcComputeStartingStackSize; the port
/// keeps fixedStack). \gosrc{stack.go,startingStackSize}
inline constexpr uintptr startingStackSize = fixedStack;
/// maxstacksize: the most bytes of stack segments a goroutine may hold;
/// past it newstack reports Go's overflow. Go sets 1 GB on 64-bit in
/// runtime.main; the port starts with it. \gosrc{stack.go,maxstacksize}
uintptr maxstacksize = 1000000000;
/// maxstackceiling: the bound for SetMaxStack. \gosrc{stack.go,maxstackceiling}
uintptr maxstackceiling = maxstacksize;
/// maxSegment: the size at which segments stop doubling (a frame larger
/// than this still gets a segment it fits in). Port only.
inline constexpr uintptr maxSegment = 64 << 20;

namespace {

/// stackpoolItem: the spans of one stack order that have free stacks
/// ([stack-pool]). \gosrc{stack.go,stackpoolItem}
struct stackpoolItem : sys::NotInHeap {
  mutex mu;
  mSpanList span;
};

/// stackpool: the global pool of stack spans, one entry per order, each on
/// its own cache line. \gosrc{stack.go,stackpool}
struct alignas(cpu::CacheLinePadSize) stackpoolEntry {
  stackpoolItem item;
};
stackpoolEntry stackpool[_NumStackOrders];

/// stackLarge: spans of large stacks (n >= _StackCacheSize) kept while a
/// collection runs, by log2 of their pages, until freeStackSpans. In the
/// port only segments of 512 KiB and more are large (stack.hpp).
/// \gosrc{stack.go,stackLarge}
struct {
  mutex lock;
  mSpanList free[heapAddrBits - pageShift];
} stackLarge;

uint32 guardPagesWork = 1;  // MADV_GUARD_INSTALL accepted so far (and wanted)
constexpr int MADV_GUARD_INSTALL_ = 102;
constexpr int MADV_GUARD_REMOVE_ = 103;

// The free-list link accessors, not instrumented (see stackLink).
__attribute__((no_sanitize("address", "thread"))) gclinkptr stackLink(gclinkptr x, uint8 order);
__attribute__((no_sanitize("address", "thread"))) void setStackLink(gclinkptr x, uint8 order, gclinkptr next);

/// valgrindLock keeps the valgrind ids of one span's stacks consecutive
/// (osStackAlloc), so that the span needs to remember only the first.
mutex valgrindLock;

/// stackLink: the free-list link of the free stack of order order at x.
/// Departure ([stack-link]): Go links a free stack through its lowest
/// word; here that word sits in the stack's guard page, and a span's
/// sixteen stacks would each get a page committed for nothing. The top word
/// is in the page a goroutine touches first anyway. The accesses are not
/// instrumented: the stack is poisoned for AddressSanitizer while it is
/// free, and the link is the allocator's own word, as in Go, whose runtime
/// is not instrumented.
gclinkptr stackLink(gclinkptr x, uint8 order) {
  return reinterpret_cast<gclink*>(uintptr(x) + (fixedStack << order) - sizeof(gclink))->next;
}
/// setStackLink sets the link stackLink reads.
void setStackLink(gclinkptr x, uint8 order, gclinkptr next) {
  reinterpret_cast<gclink*>(uintptr(x) + (fixedStack << order) - sizeof(gclink))->next = next;
}

/// adviseStacksWorks: process_madvise takes the port's calls (Linux 6.14+
/// for PIDFD_SELF, 6.13+ for any advice on oneself); cleared at the first
/// refusal, after which adviseStacks makes one madvise per page.
uint32 adviseStacksWorks = 1;
/// populateWorks: the kernel takes MADV_POPULATE_WRITE (Linux 5.14+).
uint32 populateWorks = 1;
constexpr int MADV_POPULATE_WRITE_ = 23;
constexpr int PIDFD_SELF_ = -10000;  // <linux/pidfd.h>: the calling thread's process

/// adviseStacks gives advice to one physical page of each stack of span s,
/// the page at offset off from the stack's base, in one system call where
/// the kernel allows (process_madvise with a vector of pages) and else one
/// madvise per page. It returns 0, or the errno of the first refusal. Port
/// only: a new span of sixteen stacks takes two of these (guards, tops)
/// where it took sixteen madvise calls and sixteen page faults.
int32 adviseStacks(mspan* s, uintptr off, int32 advice) {
  constexpr uintptr batch = 16;
  uintptr n = s->npages * pageSize / s->elemsize;
  for (uintptr i = 0; i < n; i += batch) {
    iovec iov[batch];
    uintptr k = n - i < batch ? n - i : batch;
    for (uintptr j = 0; j < k; j++) {
      iov[j].iov_base = reinterpret_cast<void*>(s->base() + (i + j) * s->elemsize + off);
      iov[j].iov_len = size_t(physPageSize);
    }
    if (atomic::Load(&adviseStacksWorks) != 0) {
      long r = ::syscall(SYS_process_madvise, PIDFD_SELF_, iov, k, advice, 0);
      if (r == long(k * physPageSize)) continue;
      // Refused (an older kernel) or stopped partway: the loop below
      // redoes the batch; both kinds of advice may be given twice.
      atomic::Store(&adviseStacksWorks, 0u);
    }
    for (uintptr j = 0; j < k; j++)
      if (madvise(iov[j].iov_base, iov[j].iov_len, advice) != 0) return errno;
  }
  return 0;
}

/// osStackAlloc prepares the stacks of the new stack span s (elemsize
/// set): a kernel guard page at the bottom of each, the top page of each
/// committed at once and, under valgrind, a registration of each as a
/// stack. Departure: Go's does nothing on Linux, and is called before
/// elemsize is set. \gosrc{os_nonopenbsd.go,osStackAlloc}
///
/// The top pages: every stack's top page is written at once anyway (the
/// free-list link, stackpoolalloc; then the goroutine's first frames).
/// Faulting them in one by one cost about 12 microseconds each on the
/// virtual machine the benchmarks run on, half of bench/million's time per
/// goroutine; MADV_POPULATE_WRITE over the sixteen pages in one call costs
/// about 2. The pages committed are the same.
void osStackAlloc(mspan* s) {
  uintptr n = s->npages * pageSize / s->elemsize;
  if (RUNNING_ON_VALGRIND) {
    // Tell valgrind each stack is one (lowest and highest byte). Without
    // it, memcheck takes a jump of SP by less than its --max-stackframe
    // (2 MB), say from a goroutine to a thread stack mapped nearby, for a
    // frame being pushed or popped, and marks the memory in between (other
    // stacks, a thread's TLS) undefined or inaccessible; with it, a jump
    // into another stack is a switch. osStackFree takes them back.
    lock(&valgrindLock);
    for (uintptr i = 0; i < n; i++) {
      uintptr lo = s->base() + i * s->elemsize;
      uint64 id = VALGRIND_STACK_REGISTER(lo, lo + s->elemsize - 1);
      if (i == 0) s->allocCache = id;  // unused in a manual span
    }
    unlock(&valgrindLock);
  }
  if (atomic::Load(&populateWorks) != 0 &&
      adviseStacks(s, s->elemsize - physPageSize, MADV_POPULATE_WRITE_) == EINVAL)
    atomic::Store(&populateWorks, 0u);
  if (atomic::Load(&guardPagesWork) == 0) return;
  if (adviseStacks(s, 0, MADV_GUARD_INSTALL_) != 0) atomic::Store(&guardPagesWork, 0u);
}

/// osStackFree undoes osStackAlloc before s goes back to the heap, where
/// its pages may become heap objects. \gosrc{os_nonopenbsd.go,osStackFree}
void osStackFree(mspan* s) {
  uintptr n = s->npages * pageSize / s->elemsize;
  if (RUNNING_ON_VALGRIND) {
    for (uintptr i = 0; i < n; i++) VALGRIND_STACK_DEREGISTER(s->allocCache + i);
    // memcheck marked what lay below each stack's lowest stack pointer
    // inaccessible as frames were popped. As heap pages the span holds
    // whatever the stacks left, as fresh pages hold zeros: mallocgc zeroes
    // an object before use, but a manual span (a workbuf) is read as it is
    // (lfstack.push counts on from the old pushcnt, as in Go), so the pages
    // are declared defined, not undefined.
    VALGRIND_MAKE_MEM_DEFINED(s->base(), s->npages * pageSize);
  }
  if (atomic::Load(&guardPagesWork) == 0) return;
  if (adviseStacks(s, 0, MADV_GUARD_REMOVE_) != 0) throw_("cannot remove a stack guard page");
}

}  // namespace

/// stackinit: set up the pool's lists. \gosrc{stack.go,stackinit}
void stackinit() {
  if ((_StackCacheSize & _PageMask) != 0) throw_("cache size must be a multiple of page size");
  for (auto& e : stackpool) e.item.span.init();
  for (auto& l : stackLarge.free) l.init();
  // Port only: GODEBUG=stackguardpage=0 trades the hardware backstop for
  // speed (an madvise per new stack; see bench/million).
  if (debug.stackguardpage == 0) guardPagesWork = 0;
  if (fixedStack % physPageSize != 0) throw_("stack size not a multiple of the page size");
}

namespace {

/// stacklog2: the floor of log2(n). \gosrc{stack.go,stacklog2}
int stacklog2(uintptr n) {
  int log2 = 0;
  while (n > 1) {
    n >>= 1;
    log2++;
  }
  return log2;
}

/// stackpoolalloc takes a free stack of order order, first taking a new
/// _StackCacheSize span from the heap when none has one. The caller holds
/// stackpool[order].item.mu. \gosrc{stack.go,stackpoolalloc}
gclinkptr stackpoolalloc(uint8 order) {
  mSpanList* list = &stackpool[order].item.span;
  mspan* s = list->first;
  if (s == nullptr) {
    // No free stacks: a new span of them.
    s = mheap_.allocManual(_StackCacheSize >> _PageShift, spanAllocStack);
    if (s == nullptr) throw_("out of memory");
    if (s->allocCount != 0) throw_("bad allocCount");
    if (s->manualFreeList.v != 0) throw_("bad manualFreeList");
    s->elemsize = fixedStack << order;
    osStackAlloc(s);  // Departure: after elemsize (see osStackAlloc)
    for (uintptr i = 0; i < _StackCacheSize; i += s->elemsize) {
      gclinkptr x = gclinkptr(s->base() + i);
      setStackLink(x, order, s->manualFreeList);
      s->manualFreeList = x;
    }
    list->insert(s);
  }
  gclinkptr x = s->manualFreeList;
  if (x.v == 0) throw_("span has no free stacks");
  s->manualFreeList = stackLink(x, order);
  s->allocCount++;
  if (s->manualFreeList.v == 0) {
    // Every stack of s is handed out.
    list->remove(s);
  }
  return x;
}

/// stackpoolfree puts stack x of order order back in its span, and the span
/// back in the heap once all its stacks are free. The caller holds
/// stackpool[order].item.mu. \gosrc{stack.go,stackpoolfree}
void stackpoolfree(gclinkptr x, uint8 order) {
  mspan* s = spanOfUnchecked(uintptr(x));
  if (s->state.get() != mSpanManual) throw_("freeing stack not in a stack span");
  if (s->manualFreeList.v == 0) {
    // s has a free stack again.
    stackpool[order].item.span.insert(s);
  }
  setStackLink(x, order, s->manualFreeList);
  s->manualFreeList = x;
  s->allocCount--;
  // A wholly free span goes back to the heap at once between cycles. During
  // a mark it stays a stack span until freeStackSpans, at the end of the
  // cycle: back in the heap it could become a heap span while the mark
  // still looks at words that point into it (Go's case is a sudog's elem
  // into a stack that was copied and freed).
  if (gcphase == _GCoff && s->allocCount == 0) {
    stackpool[order].item.span.remove(s);
    s->manualFreeList = 0;
    osStackFree(s);
    mheap_.freeManual(s, spanAllocStack);
  }
}

}  // namespace

/// stackcacherefill fills c's list of order order to half a cache's worth
/// from the pool (half, so that a P alternating between allocating and
/// freeing does not go to the pool each time). \gosrc{stack.go,stackcacherefill}
SYSTEMSTACK void stackcacherefill(mcache* c, uint8 order) {
  systemstackcheck();
  gclinkptr list = 0;
  uintptr size = 0;
  lock(&stackpool[order].item.mu);
  while (size < _StackCacheSize / 2) {
    gclinkptr x = stackpoolalloc(order);
    setStackLink(x, order, list);
    list = x;
    size += fixedStack << order;
  }
  unlock(&stackpool[order].item.mu);
  c->stackcache[order].list = list;
  c->stackcache[order].size = size;
}

/// stackcacherelease gives the pool back c's stacks of order order beyond
/// half a cache's worth. \gosrc{stack.go,stackcacherelease}
SYSTEMSTACK void stackcacherelease(mcache* c, uint8 order) {
  systemstackcheck();
  gclinkptr x = c->stackcache[order].list;
  uintptr size = c->stackcache[order].size;
  lock(&stackpool[order].item.mu);
  while (size > _StackCacheSize / 2) {
    gclinkptr y = stackLink(x, order);
    stackpoolfree(x, order);
    x = y;
    size -= fixedStack << order;
  }
  unlock(&stackpool[order].item.mu);
  c->stackcache[order].list = x;
  c->stackcache[order].size = size;
}

/// stackcache_clear gives all of c's cached stacks back to the pool
/// (freemcache, flushmcache, prepareForSweep). \gosrc{stack.go,stackcache_clear}
SYSTEMSTACK void stackcache_clear(mcache* c) {
  systemstackcheck();
  for (uint8 order = 0; order < _NumStackOrders; order++) {
    lock(&stackpool[order].item.mu);
    gclinkptr x = c->stackcache[order].list;
    while (x.v != 0) {
      gclinkptr y = stackLink(x, order);
      stackpoolfree(x, order);
      x = y;
    }
    c->stackcache[order].list = 0;
    c->stackcache[order].size = 0;
    unlock(&stackpool[order].item.mu);
  }
}

/// stackalloc: an n-byte stack (a power of two). Small ones (below
/// fixedStack << _NumStackOrders and _StackCacheSize: the port's 32 KiB is
/// order 0) come from this P's cache, or the pool when there is no P; a
/// larger one is a span of its own. Departure: Go's stackalloc must run on
/// g0; here it also keeps the M (acquirem), as proc.cpp calls it from the
/// system stack of a goroutine's M. \gosrc{stack.go,stackalloc}
SYSTEMSTACK stack stackalloc(uint32 n) {
  systemstackcheck();
  if ((n & (n - 1)) != 0) throw_("stack size not a power of 2");
  if (n < fixedStack) throw_("stackalloc: bad size");
  void* v;
  m* mp = acquirem();
  if (n < fixedStack << _NumStackOrders && n < _StackCacheSize) {
    uint8 order = 0;
    uint32 n2 = n;
    while (n2 > fixedStack) {
      order++;
      n2 >>= 1;
    }
    gclinkptr x;
    if (mp->p.ptr() == nullptr || mp->preemptoff != nullptr) {
      // No P (exitsyscall, procresize): straight from the pool.
      lock(&stackpool[order].item.mu);
      x = stackpoolalloc(order);
      unlock(&stackpool[order].item.mu);
    } else {
      mcache* c = mp->p.ptr()->mcache;
      x = c->stackcache[order].list;
      if (x.v == 0) {
        stackcacherefill(c, order);
        x = c->stackcache[order].list;
      }
      c->stackcache[order].list = stackLink(x, order);
      c->stackcache[order].size -= uintptr(n);
    }
    v = reinterpret_cast<void*>(uintptr(x));
  } else {
    mspan* s = nullptr;
    uintptr npage = uintptr(n) >> _PageShift;
    int log2npage = stacklog2(npage);

    // A cached large stack?
    lock(&stackLarge.lock);
    if (!stackLarge.free[log2npage].isEmpty()) {
      s = stackLarge.free[log2npage].first;
      stackLarge.free[log2npage].remove(s);
    }
    unlock(&stackLarge.lock);

    if (s == nullptr) {
      // A new span from the heap.
      s = mheap_.allocManual(npage, spanAllocStack);
      if (s == nullptr) throw_("out of memory");
      s->elemsize = uintptr(n);
      osStackAlloc(s);  // Departure: after elemsize (see osStackAlloc)
    }
    v = reinterpret_cast<void*>(s->base());
  }
  releasem(mp);
  if (asanenabled) asanunpoison(v, uintptr(n));
  return stack{uintptr(v), uintptr(v) + uintptr(n)};
}

/// stackfree returns the stack stk to this P's cache, the pool, or (a
/// large one) the heap. \gosrc{stack.go,stackfree}
SYSTEMSTACK void stackfree(stack stk) {
  systemstackcheck();
  void* v = reinterpret_cast<void*>(stk.lo);
  uintptr n = stk.hi - stk.lo;
  if ((n & (n - 1)) != 0) throw_("stack not a power of 2");
  if (stk.lo + n < stk.hi) throw_("bad stack size");
  if (asanenabled) asanpoison(v, n);
  m* mp = acquirem();
  if (n < fixedStack << _NumStackOrders && n < _StackCacheSize) {
    uint8 order = 0;
    uintptr n2 = n;
    while (n2 > fixedStack) {
      order++;
      n2 >>= 1;
    }
    gclinkptr x = gclinkptr(uintptr(v));
    if (mp->p.ptr() == nullptr || mp->preemptoff != nullptr) {
      lock(&stackpool[order].item.mu);
      stackpoolfree(x, order);
      unlock(&stackpool[order].item.mu);
    } else {
      mcache* c = mp->p.ptr()->mcache;
      if (c->stackcache[order].size >= _StackCacheSize) stackcacherelease(c, order);
      setStackLink(x, order, c->stackcache[order].list);
      c->stackcache[order].list = x;
      c->stackcache[order].size += n;
    }
  } else {
    mspan* s = spanOfUnchecked(uintptr(v));
    if (s->state.get() != mSpanManual) {
      print(hex(s->base()), " ", v, "\n");
      throw_("bad span state");
    }
    if (gcphase == _GCoff) {
      // Between cycles the span goes back to the heap at once.
      osStackFree(s);
      mheap_.freeManual(s, spanAllocStack);
    } else {
      // During a cycle it must not turn into a heap span under the mark:
      // keep it for the next large stack, or for freeStackSpans.
      int log2npage = stacklog2(s->npages);
      lock(&stackLarge.lock);
      stackLarge.free[log2npage].insert(s);
      unlock(&stackLarge.lock);
    }
  }
  releasem(mp);
}

/// fiberLeave: asm_amd64.S calls this on the current stack just before it
/// switches to to's stack (sanitizer builds only; see asm_amd64.S). save
/// says whether the current context will be resumed (mcall, systemstack,
/// __morestack) or is left for good (gogo); sp is the stack pointer there.
/// NOSPLIT: __morestack calls it on a stack already below its guard.
/// Departure: Go's stacks are not sanitizer stacks; nothing to tell.
extern "C" NOSPLIT void fiberLeave(g* to, uintptr sp, uintptr save) asm("runtime.fiberLeave");
void fiberLeave(g* to, uintptr sp, uintptr save) {
  g* from = getg();
  asanLeave(from, to, sp, save != 0);
  raceswitch(from, to);
}

/// fiberArrive: called on to's stack right after the switch.
extern "C" NOSPLIT void fiberArrive(g* to) asm("runtime.fiberArrive");
void fiberArrive(g* to) { asanArrive(to); }

/// fiberUnwound: lessstack's cleanup calls this on the older segment once
/// the sanitizers know it is current again, before the exception unwinds
/// on (sanitizer builds only; see asanUnwound).
extern "C" NOSPLIT void fiberUnwound() asm("runtime.fiberUnwound");
void fiberUnwound() { asanUnwound(); }

/// stackfreeSpares frees gp's spare segments above the segment whose
/// record is top (nullptr: the first stack); they hold no frames ([seg-spare]).
/// On the system stack, with gp stopped or its own g0 running.
SYSTEMSTACK void stackfreeSpares(g* gp, stktop* top) {
  systemstackcheck();
  stktop** link = top != nullptr ? &top->up : &gp->stackup;
  stktop* t = *link;
  *link = nullptr;
  p* pp = getg()->m->p.ptr();
  while (t != nullptr) {
    stktop* up = t->up;
    stack seg = t->self;
    gcController.addScannableStack(pp, -int64(seg.hi - seg.lo));  // (pp may be nil)
    stackfree(seg);
    t = up;
  }
}

/// stackInUse: the bytes of the segments that hold gp's frames, its first
/// stack included ([seg-chain]).
uintptr stackInUse(g* gp) {
  uintptr n = gp->stack_.hi - gp->stack_.lo;
  for (stktop* t = gp->stackseg; t != nullptr; t = t->down) n += t->prev.hi - t->prev.lo;
  return n;
}

/// lessstack: the frame at the top of each segment (asm_amd64.S).
extern "C" void lessstack() asm("runtime.lessstack");
/// morestackAgain: the address in __morestack after its register saves,
/// where it reads the guard word and decides again (asm_amd64.S).
extern "C" const uintptr morestackAgain asm("runtime.morestackAgain");

/// newstackSegment moves gp, stopped in __morestack with its context in
/// gp->sched, onto a segment of at least size bytes, a spare one if it has
/// room for need bytes, and resumes it there in lessstack. On gp's g0.
/// Port only (see newstack).
[[noreturn]] SYSTEMSTACK void newstackSegment(g* gp, uintptr size, uintptr need) {
  systemstackcheck();
  stktop** link = gp->stackseg != nullptr ? &gp->stackseg->up : &gp->stackup;
  stktop* t = *link;
  if (t != nullptr && t->self.hi - t->self.lo - sizeof(stktop) < need) {
    stackfreeSpares(gp, gp->stackseg);  // too small for this frame: free it and those above
    t = nullptr;
  }
  if (t == nullptr) {
    stack seg = stackalloc(uint32(size));
    gcController.addScannableStack(getg()->m->p.ptr(), int64(size));
    t = reinterpret_cast<stktop*>((seg.hi - sizeof(stktop)) & ~uintptr(15));
    t->up = nullptr;
    t->self = seg;
    *link = t;
  }
  t->prev = gp->stack_;
  t->prevsp = gp->sched.sp;
  t->down = gp->stackseg;
  gp->stack_ = t->self;
  gp->stackseg = t;
  // Keep a preemption request that arrived meanwhile: the body's first
  // call will honour it (Go's copystack may clobber it instead).
  if (gp->stackguard0 != stackPreempt) gp->stackguard0 = gp->stack_.lo + stackGuard;
  gp->sched.ctxt = gp->sched.sp;  // lessstack's argument: the save area
  gp->sched.sp = uintptr(t);
  gp->sched.pc = uintptr(&lessstack);
  gp->sched.bp = 0;
  gogo(&gp->sched);
}

/// guardPageActive reports whether stacks carry a kernel guard page.
bool guardPageActive() { return atomic::Load(&guardPagesWork) != 0; }
uintptr stackGuardSize() { return stackGuard; }
uintptr stackSize() { return startingStackSize; }

}  // namespace runtime

using namespace runtime;

/// newstack is called on g0 by __morestack when a prologue of the running
/// goroutine tripped the guard word; tlsguard is the value it compared
/// against. Go's newstack grows the stack by copying it; here newstack
/// honours a preemption request (parking in _Gpreempted when suspendG
/// asked, g.preemptStop; yielding otherwise), resumes a goroutine that a
/// stale request stopped, or, when the frame does not fit, moves the
/// function onto a new segment (newstackSegment), or reports the overflow
/// past maxstacksize with Go's messages. Never returns.
/// \gosrc{stack.go,newstack}
extern "C" [[noreturn]] NOWRITEBARRIERREC void newstack(uintptr tlsguard) asm("runtime.newstack");
void newstack(uintptr tlsguard) {
  g* thisg = getg();
  g* gp = thisg->m->curg;
  // Departure: Go resumes a goroutine at the start of the function whose
  // check failed, so the check runs again; the split-stack prologue cannot
  // be re-entered, and the port resumes past it. So a real overflow must be
  // caught here even when a preemption request or a stale guard is what
  // tripped the check: the function's stack pointer and frame size are in
  // __morestack's save area (go_asm.h).
  uintptr fnsp = gp->sched.sp + morestack_fnsp;
  uintptr framesize = *reinterpret_cast<uintptr*>(gp->sched.sp + morestack_r10);
  bool overflow = fnsp - framesize < gp->stack_.lo + stackGuard || fnsp - framesize > fnsp;
  // g.stackguard0 may be poisoned under us by a preemptor on another
  // thread: read it once, as Go does.
  uintptr stackguard0 = gp->stackguard0;
  bool preempt = tlsguard == stackPreempt || stackguard0 == stackPreempt;
  if (preempt) {
    if (!canPreemptM(thisg->m)) {
      // Preemption is not allowed on this M yet: restore the real guard and
      // resume (or grow, below); g.preempt stays set, so releasem (or the
      // next request) asks again.
      gp->stackguard0 = gp->stack_.lo + stackGuard;
      if (!overflow) gogo(&gp->sched);  // does not come back
      preempt = false;
    }
  }
  if (preempt) {
    // A goroutine whose frame does not fit is preempted all the same (a
    // loop that only calls across a segment's end would never yield
    // otherwise); when it runs again, __morestack decides anew from
    // .Lms_again, with the real guard in the word, and grows the stack.
    if (overflow) gp->sched.pc = morestackAgain;
    if (gp == thisg->m->g0) throw_("runtime: preempt g0");
    if (!thisg->m->p && thisg->m->locks == 0) throw_("runtime: g is running but p is not set");
    // (Go shrinks the stack here when g.preemptShrink asks; stacks never
    // move in the port.)
    if (gp->preemptStop) preemptPark(gp);  // a suspendG request; does not come back
    // Honour the request as if gp had yielded (runtime.Gosched).
    gopreempt_m(gp);  // does not come back
  }
  if (!overflow) {
    // The frame fits, so the word that tripped the check was not this
    // goroutine's own guard: a request meant for the goroutine this M ran
    // before, or a request honoured since. The second happens when a
    // preemption signal stops the goroutine between its prologue's compare
    // and the call of __morestack (both user code): asyncPreempt yields,
    // the goroutine comes back, perhaps on another thread, with its own
    // guard in the word, and __morestack reads that. Resume; gogo puts
    // this goroutine's own guard back in the word.
    gogo(&gp->sched);
  }
  // A real overflow: go on in a new segment. Go allocates a stack twice
  // the size and copies the old one into it (copystack); the port's frames
  // cannot move, so the function whose check failed runs its body on a
  // segment of its own, through lessstack, and comes back when it returns.
  uintptr argsize = *reinterpret_cast<uintptr*>(gp->sched.sp + morestack_r11);
  uintptr need = framesize + argsize + stackGuard + sizeof(stktop) + 256;
  uintptr cur = gp->stack_.hi - gp->stack_.lo;
  uintptr newsize = cur * 2 < maxSegment ? cur * 2 : cur;
  while (newsize < need && newsize != 0) newsize *= 2;
  uintptr total = stackInUse(gp) + newsize;
  if (newsize == 0 || total > maxstacksize || total > maxstackceiling) {
    uintptr sp = gp->sched.sp;
    if (maxstacksize < maxstackceiling) {
      print("runtime: goroutine stack exceeds ", maxstacksize, "-byte limit\n");
    } else {
      print("runtime: goroutine stack exceeds ", maxstackceiling, "-byte limit\n");
    }
    print("runtime: sp=", hex(sp), " stack=[", hex(gp->stack_.lo), ", ", hex(gp->stack_.hi), "]\n");
    throw_("stack overflow");
  }
  newstackSegment(gp, newsize, need);
}

namespace runtime {

/// isShrinkStackSafe reports whether shrinkstack may run on the stopped gp:
/// not while gp is in a system call, whose C++ may be running on the very
/// spares shrinkstack would free (it has no P, so nothing stops it). Go
/// also refuses at an asynchronous safe point and while gp is parking on a
/// channel; those protect the copying of a stack, which the port never
/// does. \gosrc{stack.go,isShrinkStackSafe}
bool isShrinkStackSafe(g* gp) { return gp->syscallsp == 0; }

/// shrinkstack: Go halves a stack that uses less than a quarter of itself
/// (copystack). The port's stacks do not move; it frees the segments gp
/// no longer runs on instead. Called by scanstack with gp stopped.
/// \gosrc{stack.go,shrinkstack}
SYSTEMSTACK void shrinkstack(g* gp) {
  systemstackcheck();
  if (gp->stack_.lo == 0) throw_("missing stack in shrinkstack");
  stackfreeSpares(gp, gp->stackseg);
}

/// freeStackSpans: at the end of a cycle, give the heap back the stack
/// spans that stackpoolfree and stackfree kept while it ran: every pool
/// span with no stack in use, and every cached large-stack span.
/// \gosrc{stack.go,freeStackSpans}
SYSTEMSTACK void freeStackSpans() {
  systemstackcheck();
  for (uint8 order = 0; order < _NumStackOrders; order++) {
    lock(&stackpool[order].item.mu);
    mSpanList* list = &stackpool[order].item.span;
    for (mspan* s = list->first; s != nullptr;) {
      mspan* next = s->next;
      if (s->allocCount == 0) {
        list->remove(s);
        s->manualFreeList = 0;
        osStackFree(s);
        mheap_.freeManual(s, spanAllocStack);
      }
      s = next;
    }
    unlock(&stackpool[order].item.mu);
  }

  lock(&stackLarge.lock);
  for (auto& l : stackLarge.free) {
    for (mspan* s = l.first; s != nullptr;) {
      mspan* next = s->next;
      l.remove(s);
      osStackFree(s);
      mheap_.freeManual(s, spanAllocStack);
      s = next;
    }
  }
  unlock(&stackLarge.lock);
}

/// morestackc: a SYSTEMSTACK function ran on a goroutine stack.
/// \gosrc{stack.go,morestackc}
void morestackc() { throw_("attempt to execute system stack code on user stack"); }

}  // namespace runtime
