// signal_unix.cpp: the signals the scheduler core handles, mirroring
// signal_unix.go at go1.22.12: initsig installs handlers, minit gives each M
// an alternate signal stack (Go: mp.gsignal's stack), and sighandler turns
//   SIGQUIT            into Go's dump of every goroutine, exit status 2;
//   SIGSEGV, SIGBUS    on a stack's guard page into "fatal error: stack
//                      overflow"; elsewhere in a goroutine into Go's nil
//                      dereference panic text; elsewhere into Go's
//                      "unexpected signal" fatal error;
//   SIGPIPE            into nothing: the write to a closed pipe or socket
//                      that raised it fails with EPIPE instead of killing
//                      the process (Go: _SigNotify only, and no os/signal);
//   SIGURG             (sigPreempt) into an asynchronous preemption where
//                      the interrupted instruction is a safe point
//                      (doSigPreempt; preempt.cpp gives the rule), and
//                      otherwise into nothing.
//
// The handler is NOSPLIT and clears the split-stack guard word first: it
// runs on the alternate stack, which lies outside the interrupted
// goroutine's bounds, so the guard of that goroutine does not apply.
//
// Departure: Go turns a fault into a recoverable panic by injecting a call
// to sigpanic into the interrupted goroutine; C++ cannot unwind safely out
// of a signal handler, so the port prints the same text and exits 2.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "valgrind.hpp"

#include "preempt.hpp"
#include "print.hpp"
#include "proc.hpp"

namespace runtime {

/// sigPreempt: the signal that asks a thread to preempt its goroutine.
/// SIGURG, as Go chose: passed through by debuggers by default, unused by
/// libc, harmless if a program gets one it did not ask for, and ignored by
/// default, so a stray one kills nothing. \gosrc{signal_unix.go,sigPreempt}
constexpr int sigPreempt = SIGURG;

extern uintptr maxstacksize;
int32 gotraceback_level(bool* all, bool* crash);

/// sigaltstack: the system call itself, as Go's sys_linux_amd64.s makes it.
/// The runtime does not go through libc's (or a sanitizer's) wrapper, so a
/// test harness may neutralize the wrapper without touching the runtime's
/// own signal stacks (tests/main.cpp does, for Catch2).
/// \gosrc{sys_linux_amd64.s,sigaltstack}
NOSPLIT void sigaltstack(const stack_t* new_, stack_t* old);
void sigaltstack(const stack_t* new_, stack_t* old) {
  if (syscall(SYS_sigaltstack, new_, old) != 0) throw_("sigaltstack");
}

namespace {
constexpr size_t sigstackSize = 64 << 10;
/// The valgrind stack id of the signal stack minitSignalStack mapped for
/// this thread, for unminitSignals to withdraw before it unmaps it.
thread_local unsigned sigstackValgrindID;

const char* signame(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV: segmentation violation";
    case SIGBUS: return "SIGBUS: bus error";
    case SIGQUIT: return "SIGQUIT: quit";
    case SIGFPE: return "SIGFPE: floating-point exception";
    case SIGILL: return "SIGILL: illegal instruction";
    default: return "signal";
  }
}

[[noreturn]] NOSPLIT NOWRITEBARRIERREC void dieFromSignal(int sig);
NOSPLIT void sighandler(int sig, siginfo_t* info, void* ctxt);

}  // namespace

/// initsig installs the handlers (m0 only, from mstart1). \gosrc{signal_unix.go,initsig}
NOSPLIT NOWRITEBARRIERREC void initsig();
void initsig() {
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (int sig : {SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, sigPreempt}) sigaction(sig, &sa, nullptr);
}

/// pushCall makes the interrupted code look as if it had called targetPC
/// at resumePC: the return address goes on its stack and the signal returns
/// into targetPC. Departure: below the 128 bytes of the System V red zone,
/// which asyncPreempt's `ret $128` gives back (preempt_amd64.S).
/// \gosrc{signal_amd64.go,pushCall}
NOSPLIT void pushCall(ucontext_t* uc, uintptr targetPC, uintptr resumePC);
void pushCall(ucontext_t* uc, uintptr targetPC, uintptr resumePC) {
  uintptr sp = uintptr(uc->uc_mcontext.gregs[REG_RSP]);
  sp -= 128 + sizeof(uintptr);
  *reinterpret_cast<uintptr*>(sp) = resumePC;
  uc->uc_mcontext.gregs[REG_RSP] = greg_t(sp);
  uc->uc_mcontext.gregs[REG_RIP] = greg_t(targetPC);
}

/// doSigPreempt handles a preemption request on gp's thread: if gp wants
/// to stop and stands at an asynchronous safe point, inject a call to
/// asyncPreempt; either way acknowledge, so that suspendG and preemptM may
/// ask again. \gosrc{signal_unix.go,doSigPreempt}
NOSPLIT void doSigPreempt(g* gp, ucontext_t* uc);
void doSigPreempt(g* gp, ucontext_t* uc) {
  uintptr pc = uintptr(uc->uc_mcontext.gregs[REG_RIP]);
  uintptr sp = uintptr(uc->uc_mcontext.gregs[REG_RSP]);
  if (wantAsyncPreempt(gp) && isAsyncSafePoint(gp, pc, sp)) pushCall(uc, uintptr(&asyncPreempt), pc);
  gp->m->preemptGen.Add(1);
  gp->m->signalPending.Store(0);
}

NOSPLIT void signalM(m* mp, int sig);

/// preemptM: see preempt.hpp. Go's darwin-only bookkeeping
/// (pendingPreemptSignals) is left out. \gosrc{signal_unix.go,preemptM}
void preemptM(m* mp) {
  if (mp->signalPending.CompareAndSwap(0, 1)) signalM(mp, sigPreempt);
}

namespace {

NOWRITEBARRIERREC void sighandler(int sig, siginfo_t* info, void* ctxt) {
  // SIGPIPE's only flag in Go's sigtable is _SigNotify: with no os/signal
  // to hand it to, Go's sighandler returns, and the write sees EPIPE.
  if (sig == SIGPIPE) return;
  if (sig == sigPreempt) {
    // The guard word belongs to the interrupted code (it may hold a
    // pending synchronous request): cleared while the handler runs on the
    // signal stack, put back before returning.
    uintptr guard = getTLSGuard();
    setTLSGuard(0);
    int savedErrno = errno;
    g* gp = getg();
    if (gp != nullptr && gp->m != nullptr && debug.asyncpreemptoff == 0)
      doSigPreempt(gp, static_cast<ucontext_t*>(ctxt));
    else if (gp != nullptr && gp->m != nullptr)
      gp->m->signalPending.Store(0);
    errno = savedErrno;
    setTLSGuard(guard);
    // Go: SIGURG is _SigNotify|_SigIgn; with no os/signal, nothing more.
    return;
  }
  setTLSGuard(0);
  auto* uc = static_cast<ucontext_t*>(ctxt);
  uintptr pc = uintptr(uc->uc_mcontext.gregs[REG_RIP]);
  g* gp = getg();
  m* mp = gp != nullptr ? gp->m.load() : nullptr;
  // As Go's sighandler does before printing: count the panic, so that main
  // returning meanwhile parks instead of exiting 0 (proc.go main,
  // waitReasonPanicWait), and serialise with other fatal output.
  startpanic_m();
  if (mp != nullptr) mp->throwing = throwTypeRuntime;

  if (sig == SIGQUIT) {
    print("SIGQUIT: quit\n");
    print("PC=", hex(pc), " m=", mp ? mp->id : -1, " sigcode=", info->si_code, "\n");
    if (gp != nullptr) {
      if (gp == mp->curg) {
        print("\n");
        goroutineheader(gp);
        traceback(gp, 0);
      }
      tracebackothers(gp);
    }
    exit(2);
  }

  uintptr addr = uintptr(info->si_addr);
  g* curg = mp != nullptr ? mp->curg.load() : nullptr;
  if ((sig == SIGSEGV || sig == SIGBUS) && curg != nullptr && addr >= curg->stack_.lo - 4096 &&
      addr < curg->stack_.lo + 4096) {
    // The guard page at the bottom of a goroutine stack.
    print("runtime: goroutine stack exceeds ", maxstacksize, "-byte limit\n");
    print("runtime: sp=", hex(uintptr(uc->uc_mcontext.gregs[REG_RSP])), " stack=[",
          hex(curg->stack_.lo), ", ", hex(curg->stack_.hi), "]\n");
    print("fatal error: stack overflow\n\n");
    goroutineheader(curg);
    traceback(curg, 0);
    exit(2);
  }
  if ((sig == SIGSEGV || sig == SIGBUS) && gp != nullptr && gp == curg) {
    // A fault in user code on a goroutine: Go's sigpanic would panic with
    // a runtime error; print what its unrecovered panic prints.
    if (addr < 0x1000)
      print("panic: runtime error: invalid memory address or nil pointer dereference\n");
    else
      print("unexpected fault address ", hex(addr), "\nfatal error: fault\n");
    print("[signal ", signame(sig), " code=", hex(info->si_code), " addr=", hex(addr),
          " pc=", hex(pc), "]\n\n");
    goroutineheader(gp);
    traceback(gp, 0);
    exit(2);
  }
  print("fatal error: unexpected signal during runtime execution\n");
  print("[signal ", signame(sig), " code=", hex(info->si_code), " addr=", hex(addr), " pc=",
        hex(pc), "]\n");
  if (gp != nullptr) {
    print("\nruntime stack:\n");
    traceback(gp, 0);
    tracebackothers(gp);
  }
  bool all, crash;
  gotraceback_level(&all, &crash);
  if (crash) dieFromSignal(sig);
  exit(2);
}
}  // namespace

namespace {
/// dieFromSignal: the default action of sig, for GOTRACEBACK=crash.
/// \gosrc{signal_unix.go,dieFromSignal}
[[noreturn]] void dieFromSignal(int sig) {
  // GOTRACEBACK=crash: re-raise with the default action for a core dump.
  signal(sig, SIG_DFL);
  raise(sig);
  exit(2);
}
}  // namespace

/// signalM sends sig to mp's thread. \gosrc{os_linux.go,signalM}
void signalM(m* mp, int sig) {
  int64 tid = mp->procid;
  if (tid == 0) {
    // Not started yet, or gone: nothing to preempt there.
    if (sig == sigPreempt) mp->signalPending.Store(0);
    return;
  }
  syscall(SYS_tgkill, getpid(), pid_t(tid), sig);
}

/// minitSignalStack gives the thread an alternate signal stack, which is
/// also gsignal's stack. A thread that has one already keeps it.
/// Departure: Go keeps a thread's own alternate stack only under cgo (C
/// created the thread); every thread it starts gets gsignal's. Here the
/// sanitizers' run times give every new thread an alternate stack before
/// the runtime sees it, and free it when the thread ends, so the runtime
/// uses theirs rather than replace it. \gosrc{signal_unix.go,minitSignalStack}
void minitSignalStack() {
  m* mp = getg()->m;
  stack_t st{};
  runtime::sigaltstack(nullptr, &st);
  if ((st.ss_flags & SS_DISABLE) != 0) {
    void* s = mmap(nullptr, sigstackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) throw_("minit: cannot allocate signal stack");
    st = stack_t{};
    st.ss_sp = s;
    st.ss_size = sigstackSize;
    runtime::sigaltstack(&st, nullptr);
    sigstackValgrindID = VALGRIND_STACK_REGISTER(uintptr(s), uintptr(s) + sigstackSize - 1);
    mp->newSigstack = true;
  } else {
    mp->newSigstack = false;
  }
  mp->gsignal->stack_.lo = uintptr(st.ss_sp);
  mp->gsignal->stack_.hi = uintptr(st.ss_sp) + st.ss_size;
}

/// unminitSignals undoes minitSignalStack when an M's thread exits: a
/// signal stack the runtime installed is disabled and unmapped.
/// \gosrc{signal_unix.go,unminitSignals}
NOSPLIT void unminitSignals();
void unminitSignals() {
  m* mp = getg()->m;
  if (!mp->newSigstack) return;
  stack_t st{};
  st.ss_flags = SS_DISABLE;
  runtime::sigaltstack(&st, nullptr);
  VALGRIND_STACK_DEREGISTER(sigstackValgrindID);
  munmap(reinterpret_cast<void*>(mp->gsignal->stack_.lo), mp->gsignal->stack_.hi - mp->gsignal->stack_.lo);
  mp->gsignal->stack_ = stack{};
}

/// minit: per-M setup on the new thread: the thread's identity (its id,
/// and the TCB whose guard word preemptone writes) and the alternate signal
/// stack. \gosrc{os_linux.go,minit}
void minit() {
  m* mp = getg()->m;
  mp->procid = int64(syscall(SYS_gettid));
  mp->thread = uintptr(pthread_self());
  uintptr tcb;
  asm volatile("movq %%fs:0, %0" : "=r"(tcb));
  mp->tcb = tcb;
  minitSignalStack();
}

/// unminit undoes minit when the M's thread exits. \gosrc{os_linux.go,unminit}
NOSPLIT void unminit();
void unminit() {
  unminitSignals();
  getg()->m->procid = 0;
}

}  // namespace runtime
