// stack.cpp: goroutine stacks, mirroring stack.go at go1.22.12: stackinit,
// the global stackpool, the per-P stack cache (stackcacherefill,
// stackcacherelease), stackalloc, stackfree, and newstack.
//
// The stack model (Departure; the book's chapter 12, "Where the port departs
// from Go", says more under "Stacks"). Go
// starts goroutines on 2 KiB stacks and copies a stack to a larger one when a
// function prologue finds SP below g.stackguard0. C++ frames hold raw
// pointers into the stack, so a stack cannot move. Instead:
//   (a) every goroutine gets a fixed reservation of startingStackSize bytes of
//       address space, mapped MAP_NORESERVE: the kernel commits a page only
//       when it is touched, so a goroutine costs the stack it really uses
//       (one or two 4 KiB pages for most) plus its share of a page table.
//   (b) reservations are carved from 16 MiB chunks of adjacent, identically
//       mapped memory, which the kernel keeps as one VMA, so a million
//       stacks do not exhaust vm.max_map_count.
//   (c) the bound is checked in software, as Go does: code built with
//       -fsplit-stack compares its new SP with the thread's guard word
//       (%fs:0x70) in every prologue; gogo keeps that word equal to
//       g.stackguard0 = stack.lo + stackGuard. Below it the prologue calls
//       __morestack (asm_amd64.S), which switches to g0 and calls newstack,
//       which reports the overflow with Go's messages. Where the kernel
//       supports MADV_GUARD_INSTALL (Linux 6.13+), the lowest page of each
//       stack is also a guard page, so code built without -fsplit-stack
//       (libc, for instance) faults instead of writing past the end.
//
// Invariants:
//   [stack-size]  every stack from stackalloc is startingStackSize bytes,
//                 aligned to it.
//   [stack-pool]  stackpool holds free stacks linked through their top
//                 word; stackpool.lock protects it and nothing else.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

// Valgrind's client requests (Debian: valgrind): a few no-op instructions
// that only a program running under valgrind sees. Without the header,
// nothing to tell.
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#endif

#include "asan.hpp"
#include "go_asm.h"
#include "mstats.hpp"
#include "print.hpp"
#include "proc.hpp"
#include "race.hpp"

namespace runtime {

/// The fixed stack reservation of a goroutine (and so its maximum size).
inline constexpr uintptr startingStackSize = 256 << 10;
/// maxstacksize: what newstack reports as the limit (Go: 1 GB on 64-bit).
uintptr maxstacksize = startingStackSize;
/// stackGuard: the room below g.stackguard0 for code that does not check:
/// NOSPLIT chains, libc and other code built without -fsplit-stack, and
/// __morestack itself (Go: 928 bytes on linux/amd64).
inline constexpr uintptr stackGuard = 16 << 10;
/// Stacks per chunk mapped from the OS at once.
inline constexpr uintptr stacksPerChunk = 64;

namespace {
struct {
  mutex lock;
  uintptr free;  // free stacks, linked through their top word
  int64 nfree;
  int64 nmapped;  // stacks ever mapped
} stackpool;

bool guardPagesWork = true;  // MADV_GUARD_INSTALL accepted so far (and wanted)
constexpr int MADV_GUARD_INSTALL_ = 102;

/// stackpoolalloc takes one free stack, mapping a new chunk when the pool is
/// empty. stackpool.lock must be held. \gosrc{stack.go,stackpoolalloc}
uintptr stackpoolalloc() {
  if (stackpool.free == 0) {
    size_t size = startingStackSize * stacksPerChunk;
    void* v = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v == MAP_FAILED) {
      print("runtime: cannot allocate memory for goroutine stacks (errno ", errno, ")\n");
      throw_("out of memory allocating stack");
    }
    uintptr base = uintptr(v);
    // Departure (accounting): the pool's chunks are the port's stack spans
    // (Go carves stacks from heap spans, allocManual): they count as Go
    // counts those, in MemStats.StackInuse and StackSys and as Ready memory.
    gcController.mappedReady.Add(int64(size));
    heapStatsDelta* stats = memstats.heapStats.acquire();
    atomic::Xadd(&stats->committed, int64(size));
    atomic::Xadd(&stats->inStacks, int64(size));
    memstats.heapStats.release();
    // Link the new stacks, lowest address last so they come out in order.
    for (uintptr i = stacksPerChunk; i > 0; i--) {
      uintptr s = base + (i - 1) * startingStackSize;
      // Tell valgrind each stack is one (lowest and highest byte); chunks
      // are never unmapped, so the registrations stay true. Without them,
      // memcheck takes a jump of SP by less than its --max-stackframe
      // (2 MB), say from a goroutine to a thread stack mapped nearby, for a
      // frame being pushed or popped, and marks the memory in between
      // (other stacks, a thread's TLS) undefined or inaccessible; with
      // them, a jump into another stack is a switch.
      (void)VALGRIND_STACK_REGISTER(s, s + startingStackSize - 1);
      if (guardPagesWork &&
          madvise(reinterpret_cast<void*>(s), size_t(getpagesize()), MADV_GUARD_INSTALL_) != 0)
        guardPagesWork = false;
      // The link word sits in the top word of the free stack: the page a
      // goroutine touches first anyway, so a stack costs one page, not two.
      *reinterpret_cast<uintptr*>(s + startingStackSize - sizeof(uintptr)) = stackpool.free;
      stackpool.free = s;
    }
    stackpool.nfree += stacksPerChunk;
    stackpool.nmapped += stacksPerChunk;
  }
  uintptr s = stackpool.free;
  stackpool.free = *reinterpret_cast<uintptr*>(s + startingStackSize - sizeof(uintptr));
  stackpool.nfree--;
  return s;
}

/// stackpoolfree returns a stack to the pool. \gosrc{stack.go,stackpoolfree}
void stackpoolfree(uintptr s) {
  *reinterpret_cast<uintptr*>(s + startingStackSize - sizeof(uintptr)) = stackpool.free;
  stackpool.free = s;
  stackpool.nfree++;
}

/// stackcacherefill moves half a cache's worth from the pool to pp.
/// \gosrc{stack.go,stackcacherefill}
SYSTEMSTACK void stackcacherefill(p* pp) {
  systemstackcheck();
  lock(&stackpool.lock);
  while (pp->nstackcache < stackCacheSize / 2) pp->stackcache[pp->nstackcache++] = stackpoolalloc();
  unlock(&stackpool.lock);
}

/// stackcacherelease moves half of pp's cache back to the pool.
/// \gosrc{stack.go,stackcacherelease}
SYSTEMSTACK void stackcacherelease(p* pp) {
  systemstackcheck();
  lock(&stackpool.lock);
  while (pp->nstackcache > stackCacheSize / 2) stackpoolfree(pp->stackcache[--pp->nstackcache]);
  unlock(&stackpool.lock);
}
}  // namespace

/// stackinit: nothing to precompute beyond the pool's static state.
/// \gosrc{stack.go,stackinit}
void stackinit() {
  // GODEBUG=stackguardpage=0 trades the hardware backstop for speed: the
  // madvise per new stack is about a third of the cost of creating a
  // goroutine whose stack is new (bench/million).
  if (debug.stackguardpage == 0) guardPagesWork = false;
  if (startingStackSize % uintptr(getpagesize()) != 0) throw_("stack size not a multiple of the page size");
}

/// stackcache_clear gives a P's cached stacks back (procresize, P destroy).
/// \gosrc{stack.go,stackcache_clear}
void stackcache_clear(p* pp) {
  systemstackcheck();
  lock(&stackpool.lock);
  while (pp->nstackcache > 0) stackpoolfree(pp->stackcache[--pp->nstackcache]);
  unlock(&stackpool.lock);
}

/// stackalloc: an n-byte stack, taken from this P's cache when it has one,
/// else from the global pool. Runs on the system stack in Go; here it
/// only needs the M not to lose its P, which m.locks ensures.
/// \gosrc{stack.go,stackalloc}
stack stackalloc(uint32 n) {
  systemstackcheck();
  if (n != startingStackSize) throw_("stackalloc: bad size");
  uintptr v;
  m* mp = acquirem();
  p* pp = mp->p.ptr();
  if (pp == nullptr) {
    lock(&stackpool.lock);
    v = stackpoolalloc();
    unlock(&stackpool.lock);
  } else {
    if (pp->nstackcache == 0) stackcacherefill(pp);
    v = pp->stackcache[--pp->nstackcache];
  }
  releasem(mp);
  return stack{v, v + n};
}

/// stackfree returns stk to the P's cache or the pool. \gosrc{stack.go,stackfree}
void stackfree(stack stk) {
  systemstackcheck();
  uintptr v = stk.lo;
  if (stk.hi - stk.lo != startingStackSize) throw_("stackfree: bad stack size");
  m* mp = acquirem();
  p* pp = mp->p.ptr();
  if (pp == nullptr) {
    lock(&stackpool.lock);
    stackpoolfree(v);
    unlock(&stackpool.lock);
  } else {
    if (pp->nstackcache >= stackCacheSize) stackcacherelease(pp);
    pp->stackcache[pp->nstackcache++] = v;
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

/// morestackc: a SYSTEMSTACK function ran on a goroutine stack.
/// \gosrc{stack.go,morestackc}
void morestackc() { throw_("attempt to execute system stack code on user stack"); }

/// guardPageActive reports whether stacks carry a kernel guard page.
bool guardPageActive() { return guardPagesWork; }
uintptr stackGuardSize() { return stackGuard; }
uintptr stackSize() { return startingStackSize; }

}  // namespace runtime

using namespace runtime;

namespace runtime {
bool canPreemptM(m* mp);
void gopreempt_m(g* gp);
}  // namespace runtime

/// newstack is called on g0 by __morestack when a prologue of the running
/// goroutine tripped the guard word; tlsguard is the value it compared
/// against. Go's newstack grows the stack by copying it; here the
/// reservation is the limit, so newstack either honours a preemption
/// request, resumes a goroutine that a stale request stopped, or reports
/// the overflow with Go's messages. Never returns. \gosrc{stack.go,newstack}
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
  bool preempt = !overflow && (tlsguard == stackPreempt || gp->stackguard0 == stackPreempt);
  if (preempt) {
    if (!canPreemptM(thisg->m)) {
      // Preemption is not allowed on this M yet: restore the real guard and
      // resume; sysmon will ask again.
      gp->stackguard0 = gp->stack_.lo + stackGuard;
      gogo(&gp->sched);  // does not come back
    }
    // Honour the request as if gp had yielded (runtime.Gosched).
    gopreempt_m(gp);  // does not come back
  }
  if (!overflow && tlsguard != gp->stackguard0) {
    // A request meant for the goroutine this M ran before: resume, and gogo
    // puts this goroutine's own guard back in the word.
    gogo(&gp->sched);
  }
  uintptr sp = gp->sched.sp;
  print("runtime: goroutine stack exceeds ", maxstacksize, "-byte limit\n");
  print("runtime: sp=", hex(sp), " stack=[", hex(gp->stack_.lo), ", ", hex(gp->stack_.hi), "]\n");
  throw_("stack overflow");
}
