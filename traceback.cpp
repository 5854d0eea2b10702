// traceback.cpp: goroutine dumps, mirroring traceback.go at go1.22.12:
// goroutineheader ("goroutine 7 [chan receive]:"), traceback of one
// goroutine, tracebackothers, printcreatedby, and runtime::Stack (mprof.go).
//
// Departure: Go walks frames with the compiler's pcln tables. The port walks
// the running goroutine with the C++ unwinder (CFI) and a parked goroutine by
// its frame-pointer chain from g.sched.bp (the runtime and code built with
// the package's flags keep frame pointers), bounded by the goroutine's stack.
// Names come from the executable's .symtab (findfunc), else from the dynamic
// symbol table through dladdr (hence -rdynamic), and are demangled.
#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unwind.h>

#include <algorithm>

#include <cstdlib>
#include <cstring>
#include <span>

#include "go_asm.h"
#include "print.hpp"
#include "proc.hpp"
#include "runtime.hpp"
#include "stack.hpp"

namespace runtime {

int32 gotraceback_level(bool* all, bool* crash);
void setsink(printsink* k);
extern int64 allglen;

/// gStatusStrings: the status names goroutineheader prints. Go leaves the
/// two unused states (_Gmoribund_unused, _Genqueue_unused) without a name,
/// and so does the port. \gosrc{traceback.go,gStatusStrings}
inline constexpr const char* gStatusStrings[] = {
    "idle", "runnable", "running", "syscall", "waiting", "", "dead",
    "", "copystack", "preempted"};

namespace {
constexpr int maxFrames = 100;

/// The executable's own symbol table (.symtab), which names static functions
/// and lambdas that the dynamic symbol table (dladdr) does not. Go's
/// equivalent is the pclntab the linker writes into every binary.
struct funcsym {
  uintptr lo, hi;
  const char* name;
};
struct symtab {
  funcsym* syms = nullptr;
  size_t n = 0;
  uintptr bias = 0;
};
symtab* loadsymtab() {
  static symtab tab;
  static atomic::Uint32 state;  // 0 unloaded, 1 loading, 2 ready
  if (state.Load() == 2) return &tab;
  if (!state.CompareAndSwap(0, 1)) {
    while (state.Load() != 2) osyield();
    return &tab;
  }
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && fstat(fd, &st) == 0) {
    void* m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      auto* eh = static_cast<const ElfW(Ehdr)*>(m);
      auto* sh = reinterpret_cast<const ElfW(Shdr)*>(static_cast<const char*>(m) + eh->e_shoff);
      for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB) continue;
        auto* sym = reinterpret_cast<const ElfW(Sym)*>(static_cast<const char*>(m) + sh[i].sh_offset);
        size_t cnt = sh[i].sh_size / sizeof(ElfW(Sym));
        const char* str = static_cast<const char*>(m) + sh[sh[i].sh_link].sh_offset;
        // mmap, not calloc: the table may first be needed in a signal
        // handler (see demangle).
        void* mem = mmap(nullptr, cnt * sizeof(funcsym), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) break;
        tab.syms = static_cast<funcsym*>(mem);
        for (size_t k = 0; k < cnt; k++) {
          if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_value == 0) continue;
          tab.syms[tab.n++] = funcsym{sym[k].st_value, sym[k].st_value + (sym[k].st_size ? sym[k].st_size : 1),
                                      str + sym[k].st_name};
        }
        std::sort(tab.syms, tab.syms + tab.n, [](const funcsym& a, const funcsym& b) { return a.lo < b.lo; });
      }
    }
    close(fd);
  }
  // The main program is the first object dl_iterate_phdr reports.
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* arg) {
        *static_cast<uintptr*>(arg) = uintptr(info->dlpi_addr);
        return 1;
      },
      &tab.bias);
  state.Store(2);
  return &tab;
}

/// findfunc: the function containing pc, from .symtab, else from the
/// dynamic symbols of whichever object holds pc. \gosrc{symtab.go,findfunc}
const char* findfunc(uintptr pc, uintptr* entry, const char** file) {
  symtab* t = loadsymtab();
  Dl_info info{};
  bool dl = dladdr(reinterpret_cast<void*>(pc), &info) != 0;
  *file = dl && info.dli_fname ? info.dli_fname : "?";
  if (t->n > 0 && pc >= t->bias) {
    uintptr v = pc - t->bias;
    funcsym* e = std::upper_bound(t->syms, t->syms + t->n, v,
                                  [](uintptr x, const funcsym& f) { return x < f.lo; });
    if (e != t->syms && v < (e - 1)->hi) {
      *entry = (e - 1)->lo + t->bias;
      return (e - 1)->name;
    }
  }
  if (dl && info.dli_sname != nullptr) {
    *entry = uintptr(info.dli_saddr);
    return info.dli_sname;
  }
  return nullptr;
}  // as Go's traceback: then "...additional frames elided..."

#ifdef GORT_HAVE_DEMANGLE_CALLBACK
// The demangler of GCC's libsupc++ (the same code as libiberty's documented
// cplus_demangle_v3_callback) that hands the result to a callback in pieces
// instead of building it in malloc'd memory.
extern "C" int __gcclibcxx_demangle_callback(const char* mangled,
                                             void (*callback)(const char*, size_t, void*),
                                             void* opaque);
#endif

/// demangle writes the demangled form of name into buf (cap bytes) and
/// returns it, or returns name itself when it cannot. It never allocates:
/// dumps are printed from signal handlers (SIGQUIT, a fault), where malloc
/// may deadlock (the interrupted thread may hold its lock), and Go's
/// traceback allocates nothing either. The demangler keeps its work arrays
/// on the stack, about 80 bytes per character of the name, so a name too
/// long for the stack left (a signal stack is 32 KiB under the sanitizers)
/// stays mangled.
const char* demangle(const char* name, char* buf, size_t cap) {
#ifdef GORT_HAVE_DEMANGLE_CALLBACK
  if (name[0] != '_' || name[1] != 'Z') return name;
  size_t len = strlen(name);
  uintptr sp = uintptr(__builtin_frame_address(0));
  g* gp = getg();
  uintptr lo = 0;
  if (gp != nullptr) {
    lo = gp->stack_.lo;
    if (gp->m != nullptr && gp->m->gsignal != nullptr && sp >= gp->m->gsignal->stack_.lo &&
        sp < gp->m->gsignal->stack_.hi)
      lo = gp->m->gsignal->stack_.lo;  // in a signal handler
  }
  if (lo != 0 && (sp < lo || sp - lo < 8192 + 96 * len)) return name;
  struct out {
    char* buf;
    size_t cap, n;
  } o{buf, cap, 0};
  auto put = [](const char* s, size_t k, void* op) {
    auto* o = static_cast<out*>(op);
    for (size_t i = 0; i < k && o->n + 1 < o->cap; i++) o->buf[o->n++] = s[i];
  };
  // Like __cxa_demangle's status: 0 on success, negative on failure.
  if (__gcclibcxx_demangle_callback(name, put, &o) != 0 || o.n == 0) return name;
  buf[o.n] = 0;
  return buf;
#else
  (void)buf;
  (void)cap;
  return name;
#endif
}

bool showframe(const char* name, const char* file);

/// printframe prints one frame as Go does: the function, then a tab, where
/// it is, and the offset of the pc in the function.
void printframe(uintptr pc, bool first) {
  // A return address points after the call; look up pc-1 so that a call
  // at the end of a function is attributed to it (Go: tracepc).
  uintptr lookup = first ? pc : pc - 1;
  uintptr entry = 0;
  const char* file = "?";
  const char* name = findfunc(lookup, &entry, &file);
  char dem[1024];
  uintptr off = 0;
  if (name != nullptr) {
    name = demangle(name, dem, sizeof dem);
    off = pc - entry;
  }
  if (!showframe(name, file)) return;
  if (name == nullptr) {
    print("?(", hex(pc), ")\n");
  } else {
    bool hasParen = false;
    for (const char* c = name; *c; c++) hasParen |= (*c == '(');
    print(name, hasParen ? "" : "()", "\n");
  }
  print("\t", file, " +", hex(off), "\n");
}

/// inStack: a lies in a segment that holds gp's frames ([seg-chain]).
bool inStack(g* gp, uintptr a) {
  if (a >= gp->stack_.lo && a + 16 <= gp->stack_.hi) return true;
  for (stktop* t = gp->stackseg; t != nullptr; t = t->down)
    if (a >= t->prev.lo && a + 16 <= t->prev.hi) return true;
  return false;
}

/// lessstackret: the return address of lessstack's call of a body on a
/// new segment (asm_amd64.S); the frame above it is on the older segment.
extern "C" const uintptr lessstackret asm("runtime.lessstackret");

/// walkfp: the frame-pointer walk of gp's stack from frame pointer bp:
/// visit(ret) for each return address, up to the goroutine's entry (goexit),
/// while the chain stays in gp's segments and visit returns true.
template <class F>
void walkfp(uintptr bp, g* gp, F visit) {
  while (bp != 0 && inStack(gp, bp)) {
    uintptr ret = reinterpret_cast<uintptr*>(bp)[1];
    uintptr next = reinterpret_cast<uintptr*>(bp)[0];
    if (ret == 0 || ret == uintptr(&goexit) + PCQuantum) break;
    if (!visit(ret)) break;
    // The chain must go up the stack, except where it leaves a segment.
    if (next <= bp && ret != lessstackret) break;
    bp = next;
  }
}

/// The frame-pointer walk of a goroutine that is not running.
void tracebackfp(uintptr pc, uintptr bp, g* gp) {
  int n = 0;
  if (pc != 0) {
    printframe(pc, true);
    n++;
  }
  walkfp(bp, gp, [&n](uintptr ret) {
    if (n >= maxFrames) return false;
    printframe(ret, false);
    n++;
    return true;
  });
  if (n >= maxFrames) print("...additional frames elided...\n");
}

struct unwindState {
  int n;
  int skip;
};
_Unwind_Reason_Code unwindOne(struct _Unwind_Context* ctx, void* arg) {
  auto* st = static_cast<unwindState*>(arg);
  uintptr pc = _Unwind_GetIP(ctx);
  if (pc == 0) return _URC_END_OF_STACK;
  if (st->skip > 0) {
    st->skip--;
    return _URC_NO_REASON;
  }
  if (st->n >= maxFrames) {
    print("...additional frames elided...\n");
    return _URC_END_OF_STACK;
  }
  printframe(pc, false);
  st->n++;
  return _URC_NO_REASON;
}

/// stoppedInMorestack: gp's saved context is __morestack's (it stopped at
/// a prologue: preempted, or parked in _Gpreempted for suspendG).
bool stoppedInMorestack(g* gp) {
  if (gp->sched.sp == 0) return false;  // resumed since (gogo clears sp)
  uintptr entry = 0;
  const char* file = nullptr;
  const char* name = findfunc(gp->sched.pc, &entry, &file);
  return name != nullptr && strcmp(name, "__morestack") == 0;
}
}  // namespace

/// printcreatedby: "created by ... in goroutine N". \gosrc{traceback.go,printcreatedby}
void printcreatedby(g* gp) {
  if (gp->gopc == 0 || gp->goid == 1) return;
  uintptr entry = 0;
  const char* file = "?";
  const char* name = findfunc(gp->gopc - 1, &entry, &file);
  char dem[1024];
  printcreatedby1(name == nullptr ? "?" : demangle(name, dem, sizeof dem), gp->parentGoid);
}

/// printcreatedby1: the "created by" line naming the function of a go
/// statement; the goroutine's number only when goid is not 0 (an
/// ancestor's line, whose goroutine is named above it). Departure: Go's
/// takes the function's funcInfo and the statement's pc, and prints its
/// file and line beneath; the port names the function only.
/// \gosrc{traceback.go,printcreatedby1}
void printcreatedby1(const char* name, uint64 goid) {
  print("created by ", name);
  if (goid != 0) print(" in goroutine ", goid);
  print("\n");
}

/// traceback prints the frames of gp. For the calling goroutine it unwinds
/// from here (skipping `skip` runtime frames); for any other, from the
/// context saved in gp.sched. A goroutine stopped at a prologue (preempted,
/// or parked in _Gpreempted) starts with the function whose prologue
/// tripped and its caller, as Go's traceback does (Go's morestack records
/// that function's pc in g.sched): __morestack keeps the return address into
/// the function in gobuf.lr, and the one into its caller just above its
/// save area; the frame-pointer chain then goes on from the caller's frame.
/// \gosrc{traceback.go,traceback}
void traceback(g* gp, int skip) {
  g* me = getg();
  if (gp == me || (me != nullptr && gp == me->m->curg && me == me->m->gsignal)) {
    unwindState st{0, skip + 1};
    _Unwind_Backtrace(unwindOne, &st);
  } else if (gp->syscallsp != 0) {
    // In a system call: from where it entered it, as Go's unwinder does
    // (g.sched may hold __morestack's context since: see g.syscallsp).
    tracebackfp(gp->syscallpc, gp->syscallbp, gp);
  } else if (stoppedInMorestack(gp)) {
    printframe(gp->sched.lr, false);
    uintptr callerpc = *reinterpret_cast<uintptr*>(gp->sched.sp + morestack_fnsp);
    if (callerpc != uintptr(&goexit) + PCQuantum) {
      printframe(callerpc, false);
      tracebackfp(0, gp->sched.bp, gp);
    }
  } else {
    tracebackfp(gp->sched.pc, gp->sched.bp, gp);
  }
  printcreatedby(gp);

  if (gp->ancestors == nullptr) return;
  for (int32 i = 0; i < gp->nancestors; i++) printAncestorTraceback(gp->ancestors[i]);
}

/// printAncestorTraceback prints where an ancestor goroutine stood when it
/// created its child (GODEBUG=tracebackancestors). \gosrc{traceback.go,printAncestorTraceback}
void printAncestorTraceback(const ancestorInfo& ancestor) {
  print("[originating from goroutine ", ancestor.goid, "]:\n");
  for (int32 fidx = 0; fidx < ancestor.npcs; fidx++) printAncestorTracebackFuncInfo(ancestor.pcs[fidx]);
  if (ancestor.npcs == tracebackInnerFrames) print("...additional frames elided...\n");
  // What created it, except for the main goroutine (goid 1).
  uintptr entry = 0;
  const char* file = "?";
  const char* name = findfunc(ancestor.gopc - 1, &entry, &file);
  if (name != nullptr && ancestor.goid != 1) {
    char dem[1024];
    name = demangle(name, dem, sizeof dem);
    // The ancestor's own number is in the line above: 0 leaves it out.
    if (showframe(name, file)) printcreatedby1(name, 0);
  }
}

/// printAncestorTracebackFuncInfo prints one frame of an ancestor: only
/// its pc was kept, so the arguments are "(...)", as in Go (a C++ name's
/// parameter list is dropped for them). \gosrc{traceback.go,printAncestorTracebackFuncInfo}
void printAncestorTracebackFuncInfo(uintptr pc) {
  uintptr entry = 0;
  const char* file = "?";
  const char* name = findfunc(pc - 1, &entry, &file);
  char dem[1024];
  if (name != nullptr) name = demangle(name, dem, sizeof dem);
  if (!showframe(name, file)) return;
  if (name == nullptr) {
    print("?(...)\n\t", file, "\n");
    return;
  }
  // The parameter list is the last top-level "(...)" of a demangled name
  // that ends with ")", once a GCC clone's suffix (" [clone .isra.0]") is
  // dropped.
  size_t len = strlen(name);
  if (const char* clone = strstr(name, " [clone "); clone != nullptr) len = size_t(clone - name);
  if (len > 0 && name[len - 1] == ')') {
    int depth = 0;
    for (size_t i = len; i-- > 0;) {
      if (name[i] == ')') depth++;
      if (name[i] == '(' && --depth == 0) {
        len = i;
        break;
      }
    }
  }
  for (size_t i = 0; i < len; i++) print(name[i]);
  print("(...)\n");
  print("\t", file);
  if (pc > entry) print(" +", hex(pc - entry));
  print("\n");
}

/// gcallers: the return pcs of gp's stack, from the context it saved when
/// it last switched out (systemstack, a park), at most n into pcbuf after
/// skipping skip; a frame-pointer walk, as tracebackfp's. \gosrc{traceback.go,gcallers}
int gcallers(g* gp, int skip, uintptr* pcbuf, int n) {
  int k = 0;
  auto put = [&](uintptr pc) {
    if (skip > 0) {
      skip--;
    } else if (k < n) {
      pcbuf[k++] = pc;
    }
    return k < n;
  };
  if (put(gp->sched.pc)) walkfp(gp->sched.bp, gp, put);
  return k;
}


namespace {
/// showframe reports whether a frame is shown at the current GOTRACEBACK
/// level: below "system", the runtime's own frames are hidden, except its
/// exported functions (runtime::Gosched, ...), and so is the C++ library's
/// exception and invoke plumbing. (A goroutine's entry, goclosure::call,
/// stays: the goroutine's function is often inlined into it.) \gosrc{traceback.go,showframe}
bool showframe(const char* name, const char* file) {
  bool all = false, crash = false;
  if (gotraceback_level(&all, &crash) > 1) return true;
  if (name == nullptr) return strstr(file, "libstdc++") == nullptr && strstr(file, "libgcc") == nullptr;
  auto prefix = [name](const char* p) { return strncmp(name, p, strlen(p)) == 0; };
  if (prefix("runtime::") || prefix("runtime.")) {
    const char* rest = name + strlen("runtime:");
    if (*rest == ':' || *rest == '.') rest++;
    if (prefix("runtime.")) rest = name + strlen("runtime.");
    return *rest >= 'A' && *rest <= 'Z';  // isExportedRuntime
  }
  return !(prefix("std::__invoke") || prefix("std::apply<") ||
           prefix("std::__apply_impl") || prefix("__cxa_") || prefix("std::terminate") ||
           prefix("_Unwind_") || prefix("__restore_rt"));
}
}  // namespace

/// goroutineheader prints "goroutine N [status]:". \gosrc{traceback.go,goroutineheader}
void goroutineheader(g* gp) {
  uint32 gpstatus = readgstatus(gp);
  bool isScan = (gpstatus & _Gscan) != 0;
  gpstatus &= ~uint32(_Gscan);
  const char* status = gpstatus < sizeof gStatusStrings / sizeof gStatusStrings[0]
                           ? gStatusStrings[gpstatus]
                           : "???";
  if (gpstatus == _Gwaiting && gp->waitreason != waitReasonZero)
    status = String(gp->waitreason);
  int64 waitfor = 0;
  if ((gpstatus == _Gwaiting || gpstatus == _Gsyscall) && gp->waitsince != 0)
    waitfor = (nanotime() - gp->waitsince) / int64(60e9);
  print("goroutine ", gp->goid, " [", status);
  if (isScan) print(" (scan)");
  if (waitfor >= 1) print(", ", waitfor, " minutes");
  if (gp->lockedm) print(", locked to thread");
  print("]:\n");
}

/// tracebackothers prints every other goroutine. \gosrc{traceback.go,tracebackothers}
void tracebackothers(g* me) {
  bool all = false, crash = false;
  int32 level = gotraceback_level(&all, &crash);
  g* curgp = getg()->m->curg;
  if (curgp != nullptr && curgp != me) {
    print("\n");
    goroutineheader(curgp);
    traceback(curgp, 0);
  }
  int64 n = atomic::Load(&allglen);
  for (int64 i = 0; i < n; i++) {
    g* gp = atomic::Load(&allgs[i]);
    if (gp == me || gp == curgp || readgstatus(gp) == _Gdead ||
        (isSystemGoroutine(gp, false) && level < 2))
      continue;
    print("\n");
    goroutineheader(gp);
    if (gp->m != getg()->m && (readgstatus(gp) & ~uint32(_Gscan)) == _Grunning) {
      print("\tgoroutine running on other thread; stack unavailable\n");
      printcreatedby(gp);
    } else {
      traceback(gp, 0);
    }
  }
}

}  // namespace runtime

/// Stack formats the calling goroutine's stack (and all others if all) into
/// buf. For all, the world is stopped, as in Go, so that no goroutine runs
/// (and changes the frames being walked) while the others are printed.
/// \gosrc{mprof.go,Stack}
int runtime::Stack(std::span<char> buf, bool all) {
  g* gp = getg();
  if (gp == nullptr) return 0;
  worldStop stw;
  if (all) stw = stopTheWorld(stwAllGoroutinesStack);
  int n = 0;
  if (!buf.empty()) {
    printsink k{buf.data(), buf.size(), 0};
    // The sink is per thread: stay on this M (no preemption) while it is
    // set. (Set after the stop, in which the goroutine may change Ms.)
    m* mp = acquirem();
    setsink(&k);
    goroutineheader(gp);
    traceback(gp, 1);
    if (all) tracebackothers(gp);
    setsink(nullptr);
    releasem(mp);
    n = int(k.len);
  }
  if (all) startTheWorld(stw);
  return n;
}
