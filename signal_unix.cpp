// signal_unix.cpp: the signals the scheduler core handles, mirroring
// signal_unix.go at go1.22.12: initsig installs handlers, minit gives each M
// an alternate signal stack (Go: mp.gsignal's stack), and sighandler turns
//   SIGQUIT            into Go's dump of every goroutine, exit status 2;
//   SIGSEGV, SIGBUS    on a stack's guard page into "fatal error: stack
//                      overflow"; elsewhere in a goroutine into Go's nil
//                      dereference panic text; elsewhere into Go's
//                      "unexpected signal" fatal error.
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

#include <cstdlib>

#include "print.hpp"
#include "proc.hpp"

namespace runtime {

extern uintptr maxstacksize;
int32 gotraceback_level(bool* all, bool* crash);

namespace {
constexpr size_t sigstackSize = 64 << 10;

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
[[noreturn]] void dieFromSignal(int sig) {
  // GOTRACEBACK=crash: re-raise with the default action for a core dump.
  signal(sig, SIG_DFL);
  raise(sig);
  exit(2);
}

NOSPLIT void sighandler(int sig, siginfo_t* info, void* ctxt);
NOWRITEBARRIERREC void sighandler(int sig, siginfo_t* info, void* ctxt) {
  setTLSGuard(0);
  auto* uc = static_cast<ucontext_t*>(ctxt);
  uintptr pc = uintptr(uc->uc_mcontext.gregs[REG_RIP]);
  g* gp = getg();
  m* mp = gp != nullptr ? gp->m : nullptr;
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
  g* curg = mp != nullptr ? mp->curg : nullptr;
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

/// initsig installs the handlers (m0 only, from mstart1). \gosrc{signal_unix.go,initsig}
NOSPLIT NOWRITEBARRIERREC void initsig();
void initsig() {
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (int sig : {SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(sig, &sa, nullptr);
}

/// minit: per-M setup on the new thread: the thread's identity (its id,
/// and the TCB whose guard word preemptone writes) and the alternate signal
/// stack, which is also gsignal's stack. \gosrc{os_linux.go,minit}
void minit() {
  m* mp = getg()->m;
  mp->procid = int64(syscall(SYS_gettid));
  mp->thread = uintptr(pthread_self());
  uintptr tcb;
  asm volatile("movq %%fs:0, %0" : "=r"(tcb));
  mp->tcb = tcb;
  void* s = mmap(nullptr, sigstackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) throw_("minit: cannot allocate signal stack");
  stack_t st{};
  st.ss_sp = s;
  st.ss_size = sigstackSize;
  sigaltstack(&st, nullptr);
  mp->gsignal->stack_.lo = uintptr(s);
  mp->gsignal->stack_.hi = uintptr(s) + sigstackSize;
}

}  // namespace runtime
