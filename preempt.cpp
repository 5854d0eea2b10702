// preempt.cpp: stopping a single goroutine at a safe point, mirroring
// preempt.go at go1.22.12 (suspendG, resumeG, canPreemptM, asyncPreempt2,
// wantAsyncPreempt, isAsyncSafePoint). The collector uses it to scan one
// goroutine's stack while the others run; the scheduler uses the
// asynchronous half to stop a goroutine that runs too long.
//
// Safe points. A goroutine can be stopped where the runtime knows its whole
// state: (1) while it is not running at all (_Grunnable, _Gwaiting,
// _Gsyscall); (2) at a synchronous safe point, the split-stack check in
// a function prologue; (3) at an asynchronous safe point, an instruction of
// user code that a signal interrupted. To reach (2), suspendG and
// preemptone poison the goroutine's guard (g.stackguard0 and, since the
// prologues compare with the thread's TLS word, that word too); the next
// prologue goes through __morestack to newstack (stack.cpp), which yields
// or, with g.preemptStop set, parks in _Gpreempted (preemptPark). To reach
// (3) they also send the goroutine's thread SIGURG (preemptM, in
// signal_unix.cpp); the handler asks isAsyncSafePoint whether the
// interrupted instruction is one, and if so makes the thread return from
// the signal into asyncPreempt (preempt_amd64.S), which saves every
// register on the goroutine's stack and calls asyncPreempt2: the same
// yield or park as at a prologue. A loop that calls nothing is stopped the
// second way.
//
// The asynchronous safe-point rule (isAsyncSafePoint), for C++ compiled by
// GCC. An instruction is a safe point when all of these hold:
//   [as-user]     the interrupted g is its M's curg (not g0, not gsignal)
//                 and that M holds no runtime lock, is not allocating, has
//                 no preemptoff reason and holds a running P (canPreemptM):
//                 the runtime may then take locks and switch goroutines;
//   [as-stack]    the stack pointer lies in the goroutine's stack with room
//                 for asyncPreempt's frame, the red zone it skips and
//                 asyncPreempt2's frames (asyncPreemptStack);
//   [as-text]     the PC lies in the executable's own code and outside
//                 the runtime's (the gort_text section, which the build
//                 makes of every code section of libgort.a): code the user
//                 compiled, with gort's header-inline API code in it. Not
//                 the runtime, whose code assumes it is never stopped
//                 between two instructions (it keeps its g, M and P in
//                 registers across them; Go refuses "runtime." functions
//                 the same way), nor assembly (gogo, mcall, __morestack),
//                 nor shared libraries: libc and libstdc++ keep per-thread
//                 state (malloc's thread cache, stdio locks) that must not
//                 change threads halfway through a call.
// The runtime's code that is inlined into user functions (gort's API
// templates, the write barrier in every GC reference's assignment) is
// written to be stopped anywhere instead: Go's compiler marks its write
// barrier sequences unsafe points (PCDATA UnsafePoint), while the port
// stores before it tests whether barriers are on, and the collector scans
// the goroutines stopped in between before it ends a mark ([wb-order],
// mwbbuf.hpp); what must not be split (claiming and filling a barrier
// buffer's slots) is called out of line, into the runtime's text.
//
// Why that is enough for GCC's code: between two instructions of a
// function, the only state not in memory is in registers and flags, all of
// which asyncPreempt saves and restores, XSAVE covering the vector and x87
// state; a leaf function's data below its stack pointer is kept (the red
// zone). The goroutine may go on on another thread, as after any yield, so
// per-thread state held across an instruction would be stale there: the
// TLS guard word and the current g are reloaded by the scheduler, and
// errno is carried over by asyncPreempt2; a C++ thread_local whose address
// the compiler keeps in a register is the user's to avoid (as it is across
// any call that may yield). The collector scans a parked goroutine's stack
// conservatively from its saved stack pointer, which is below the saved
// registers, so a register holding the only reference to an object keeps it.
//
// Invariants:
//   [gscan-lock]    the _Gscan bit of g.atomicstatus is a lock on that g's
//                   status: whoever set it (castogscanstatus,
//                   casGToPreemptScan) is the only one who may change the
//                   status, and clears the bit with casfrom_Gscanstatus;
//                   everyone else's casgstatus spins meanwhile. A g stays
//                   on its M while _Gscan|_Grunning is held (it cannot
//                   leave _Grunning), so g.m is stable then.
//   [suspended]     between suspendG and resumeG the target holds
//                   _Gscan with _Grunnable, _Gwaiting or _Gsyscall: it runs
//                   no code of its own. If a P takes it from a run queue,
//                   that P's M spins in execute's casgstatus until resumeG;
//                   if something readies it, the readier spins likewise.
//   [preempt-stop]  g.preemptStop is set only by suspendG under
//                   _Gscan|_Grunning, and cleared by suspendG when it claims
//                   the g, or by gdestroy if the g died first. A goroutine
//                   that finds it set at a safe point parks in _Gpreempted;
//                   only a suspender ever readies it from there.
//
// Contexts. suspendG and resumeG run on the system stack of an M whose
// user goroutine is not _Grunning (Go's rule: were it running, a goroutine
// suspending this one would wait forever for it, while it waits for the
// other). The collector's callers put their goroutine in _Gwaiting first
// (casGToWaiting), as Go's markroot does. Neither holds a runtime lock
// while it spins; both may be called from any M, with or without a P, but
// resumeG of a stopped goroutine readies it on the caller's P, so the caller
// needs one then. canPreemptM may be called anywhere (it only reads);
// wantAsyncPreempt and isAsyncSafePoint run in the signal handler.
//
// Departure: asynchronous preemption is off (as with
// GODEBUG=asyncpreemptoff=1) in a ThreadSanitizer build, whose run time
// hands an asynchronous signal to the handler later, from its own code,
// with a copy of the context that the handler cannot redirect; under
// valgrind, which keeps its own view of what lies below a stack pointer;
// and on a processor without XSAVE.
#include "preempt.hpp"

#include <algorithm>
#include <cerrno>
#include <cpuid.h>
#include <elf.h>
#include <link.h>

#include "print.hpp"
#include "proc.hpp"
#include "race.hpp"
#include "stack.hpp"
#include "valgrind.hpp"

// The runtime's code: every code section of libgort.a, renamed gort_text
// when the library is built (cmake/asyncpreempt.cmake); the linker defines
// the bounds of a section whose name is a C identifier. Weak, so that a
// library built without the renaming links, with asynchronous preemption
// off.
extern "C" {
extern __attribute__((weak)) const char __start_gort_text[];
extern __attribute__((weak)) const char __stop_gort_text[];
}

namespace runtime {

void gopreempt_m(g* gp);

/// suspendG drives gp to a safe point and holds it there (see the header:
/// [suspended]). Several suspenders may aim at the same goroutine; they take
/// turns, each waiting while another holds the _Gscan bit. The goroutine may
/// run between two suspensions. Loops until it wins, spinning with PAUSE
/// for yieldDelay and then yielding the thread between tries, as Go does.
/// Context: see preempt.hpp. \gosrc{preempt.go,suspendG}
SYSTEMSTACK suspendGState suspendG(g* gp) {
  systemstackcheck();
  if (m* mp = getg()->m; mp->curg != nullptr && readgstatus(mp->curg) == _Grunning) {
    // The user goroutine of this M is stopped on this system stack at a
    // point that is not safe: a goroutine suspending it in turn would spin
    // forever.
    throw_("suspendG from non-preemptible goroutine");
  }

  // The back-off Go chose (golang.org/cl/21503): spin 10us, then yield.
  constexpr int64 yieldDelay = 10 * 1000;
  // The longest wait between two preemption signals (port only).
  constexpr int64 preemptMDelayMax = 16 * yieldDelay;
  int64 nextYield = 0;
  int64 nextPreemptM = 0;
  int64 preemptMDelay = yieldDelay / 2;
  // The M last signalled, and its preemptGen then.
  m* asyncM = nullptr;
  uint32 asyncGen = 0;

  // Bring the goroutine to a safe point.
  bool stopped = false;
  for (int i = 0;; i++) {
    uint32 s = readgstatus(gp);
    switch (s) {
      default:
        if ((s & _Gscan) != 0) {
          // Another suspender holds it (or its M holds it briefly on the
          // way into _Gpreempted): wait for the bit to go.
          break;
        }
        dumpgstatus(gp);
        throw_("invalid g status");

      case _Gdead:
        // Nothing to stop. A preemptStop that a previous round left on gp
        // cannot be cleared here (gp may be reused meanwhile): gdestroy
        // clears it. [preempt-stop]
        return suspendGState{nullptr, true, false};

      case _Gcopystack:
        // Go: the stack is moving; wait. Never set in the port, whose
        // stacks stay put.
        break;

      case _Gpreempted:
        // gp parked itself at some suspender's request. Claim it (only one
        // claimer wins the CAS to _Gwaiting); the winner readies it later.
        if (!casGFromPreempted(gp, _Gpreempted, _Gwaiting)) break;
        stopped = true;
        s = _Gwaiting;
        [[fallthrough]];

      case _Grunnable:
      case _Gsyscall:
      case _Gwaiting:
        // Already at a safe point: take the _Gscan bit to keep it there.
        // The CAS races with gp being run or readied; a loss means reread.
        if (!castogscanstatus(gp, s, s | _Gscan)) break;
        // Withdraw any request still pending: holding the bit, we own the
        // goroutine's guard word and flags. [preempt-stop]
        gp->preemptStop = false;
        gp->preempt = false;
        gp->stackguard0 = gp->stack_.lo + stackGuard;
        return suspendGState{gp, false, stopped};

      case _Grunning: {
        // The request from an earlier round is still pending: just wait
        // (Go: "Optimization: if there is already a pending preemption
        // request, don't bother with it").
        if (gp->preemptStop && gp->preempt && gp->stackguard0 == stackPreempt && asyncM == gp->m.load() &&
            asyncM->preemptGen.Load() == asyncGen)
          break;
        // Hold the status still while the request is written.
        if (!castogscanstatus(gp, _Grunning, _Gscan | _Grunning)) break;
        // Ask for a synchronous stop at the next prologue.
        gp->preemptStop = true;
        gp->preempt = true;
        gp->stackguard0 = stackPreempt;
        // Departure: the prologues compare with the thread's guard word,
        // not with g.stackguard0, so poke that word as preemptone does.
        // While we hold _Gscan|_Grunning, gp stays on gp.m ([gscan-lock]);
        // if the M is on g0 or gsignal just now, the poke trips there as a
        // stale request that __morestack drops, and the next switch back to
        // gp loads the poisoned g.stackguard0 anyway.
        m* mp = gp->m;
        if (mp != nullptr && mp->tcb != 0) atomic::Store(tlsguardword(mp), stackPreempt);
        // Prepare the asynchronous request: a new one is needed when gp
        // moved to another M, or when its M handled a signal since.
        m* asyncM2 = mp;
        uint32 asyncGen2 = asyncM2->preemptGen.Load();
        bool needAsync = asyncM != asyncM2 || asyncGen != asyncGen2;
        asyncM = asyncM2;
        asyncGen = asyncGen2;
        casfrom_Gscanstatus(gp, _Gscan | _Grunning, _Grunning);
        // Signal after giving _Grunning back: the handler may find gp
        // already at a safe point and park it, which needs the status.
        // At most one signal per yieldDelay/2 at first, as Go rate-limits
        // it; then twice as long after each signal that did not stop gp,
        // up to preemptMDelayMax.
        // Departure: Go signals every yieldDelay/2 for as long as the
        // goroutine runs. Its own code rarely runs long where a signal is
        // refused; the port refuses every PC in the runtime and in libc,
        // and a goroutine inside a long memset or bulk barrier (growslice
        // of a 16 MiB []string) took a signal every 5 us, which made
        // BenchmarkAppendGrowString about 2.5 times slower.
        if (debug.asyncpreemptoff == 0 && needAsync) {
          int64 now = nanotime();
          if (now >= nextPreemptM) {
            nextPreemptM = now + preemptMDelay;
            preemptMDelay = std::min(preemptMDelay * 2, preemptMDelayMax);
            preemptM(asyncM);
          }
        }
        break;
      }
    }

    // Not stopped yet: back off, then look again.
    if (i == 0) nextYield = nanotime() + yieldDelay;
    if (nanotime() < nextYield) {
      procyield(10);
    } else {
      osyield();
      nextYield = nanotime() + yieldDelay / 2;
    }
  }
}

/// resumeG undoes suspendG: it drops the _Gscan bit and, when suspendG
/// stopped the goroutine itself (it had parked in _Gpreempted), makes it
/// runnable again on the caller's P. Context: see preempt.hpp.
/// \gosrc{preempt.go,resumeG}
void resumeG(suspendGState state) {
  if (state.dead) return;  // nothing was stopped
  g* gp = state.g_;
  switch (uint32 s = readgstatus(gp)) {
    default:
      dumpgstatus(gp);
      throw_("unexpected g status");
    case _Grunnable | _Gscan:
    case _Gwaiting | _Gscan:
    case _Gsyscall | _Gscan:
      casfrom_Gscanstatus(gp, s, s & ~uint32(_Gscan));
  }
  if (state.stopped) {
    // It is _Gwaiting ("preempted") and in no run queue: put it in ours.
    ready(gp, 0, true);
  }
}

/// canPreemptM: see preempt.hpp. Departure: Go reads mp.p's status without
/// a nil check (its callers have a P); the port also answers false for an
/// M without a P. \gosrc{preempt.go,canPreemptM}
bool canPreemptM(m* mp) {
  return mp->locks == 0 && mp->mallocing == 0 && mp->preemptoff == nullptr && mp->p &&
         mp->p.ptr()->status == _Prunning;
}

// --- Asynchronous preemption -------------------------------------------------

/// The XSAVE area's size for the components the OS enabled (CPUID leaf
/// 0xD), read by asyncPreempt. Port only.
uintptr asyncPreemptXsaveSize asm("runtime.asyncPreemptXsaveSize") = 0;

/// asyncPreemptStack: the stack asyncPreempt's call needs below the
/// interrupted stack pointer. \gosrc{preempt.go,asyncPreemptStack}
uintptr asyncPreemptStack = ~uintptr(0);

namespace {
/// The executable's code, where user functions are ([as-text]).
uintptr exeTextLo, exeTextHi;

int findExeText(dl_phdr_info* info, size_t, void*) {
  // The first object is the executable itself.
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0) {
      exeTextLo = info->dlpi_addr + ph.p_vaddr;
      exeTextHi = exeTextLo + ph.p_memsz;
      break;
    }
  }
  return 1;
}
}  // namespace

/// asyncPreemptInit: Go's init in preempt.go, sizing asyncPreemptStack;
/// the port also finds the code ranges isAsyncSafePoint reads, and turns
/// asynchronous preemption off where it cannot work (see the Departure at
/// the top). From schedinit, after the GODEBUG settings are read.
/// \gosrc{preempt.go,asyncPreemptStack}
void asyncPreemptInit() {
  unsigned a, b, c, d;
  bool xsave = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) != 0 && __get_cpuid_max(0, nullptr) >= 0xd;
  if (xsave) {
    __cpuid_count(0xd, 0, a, b, c, d);
    asyncPreemptXsaveSize = b;
  }
  // The red zone, the resume PC, rbp, the flags, 14 registers, the XSAVE
  // area and its alignment, then asyncPreempt2's frame and mcall's pushes
  // with room to spare (Go adds 8 words for return PCs and the like).
  asyncPreemptStack = 128 + 8 + 8 + 8 + 14 * 8 + asyncPreemptXsaveSize + 64 + 512;
  dl_iterate_phdr(findExeText, nullptr);
  bool haveText = __start_gort_text != nullptr && __stop_gort_text != nullptr && exeTextHi != 0;
  if (raceenabled || RUNNING_ON_VALGRIND || !xsave || !haveText) debug.asyncpreemptoff = 1;
}

/// asyncPreempt2: the Go side of asyncPreempt, on the goroutine's stack:
/// yield (gopreempt_m) or, for a suspender, park (preemptPark), then come
/// back to the interrupted code. NOSPLIT: the guard is poisoned (that is
/// why we are here), so a prologue check would take the synchronous path
/// inside this one. Departure: errno belongs to the thread, and the
/// goroutine may come back on another one; the interrupted code may be
/// about to read it, so it travels with the goroutine.
/// \gosrc{preempt.go,asyncPreempt2}
extern "C" NOSPLIT void asyncPreempt2() asm("runtime.asyncPreempt2");
void asyncPreempt2() {
  int savedErrno = errno;
  g* gp = getg();
  gp->asyncSafePoint = true;
  if (gp->preemptStop)
    mcall(preemptPark);
  else
    mcall(gopreempt_m);
  getg()->asyncSafePoint = false;
  errno = savedErrno;
}

/// wantAsyncPreempt: has anyone asked gp (or the P it runs on) to stop,
/// and is gp still running? In the signal handler. \gosrc{preempt.go,wantAsyncPreempt}
bool wantAsyncPreempt(g* gp) {
  m* mp = gp->m;
  if (mp == nullptr) return false;
  return (gp->preempt || (mp->p && mp->p.ptr()->preempt)) && (readgstatus(gp) & ~uint32(_Gscan)) == _Grunning;
}

/// isAsyncSafePoint: may gp, interrupted at pc with stack pointer sp, be
/// stopped there? The rule and why: the comment at the top of this file.
/// Departure: Go also returns a resume PC, which only its LR machines
/// change; amd64 resumes where it stopped. \gosrc{preempt.go,isAsyncSafePoint}
bool isAsyncSafePoint(g* gp, uintptr pc, uintptr sp) {
  m* mp = gp->m;
  // [as-user]: only user goroutines have safe points; the M is often in
  // the scheduler dealing with this very request.
  if (mp->curg != gp) return false;
  if (!mp->p || !canPreemptM(mp)) return false;
  // [as-stack]
  if (sp < gp->stack_.lo || sp >= gp->stack_.hi || sp - gp->stack_.lo < asyncPreemptStack) return false;
  // [as-text]
  if (pc < exeTextLo || pc >= exeTextHi) return false;
  if (pc >= uintptr(__start_gort_text) && pc < uintptr(__stop_gort_text)) return false;
  return true;
}

}  // namespace runtime
