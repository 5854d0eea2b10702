// stubs.hpp: the primitives of stubs.go at go1.22.12 that the compiler or the
// assembler provides (getg, mcall, systemstack, gogo, procyield, goexit,
// morestack) and the small helpers around them, in stubs.go's order; the
// port's own (the TLS guard word, mstart, cputicks) beside their nearest
// relative there.
//
// getg. Go on amd64 keeps the current g in R14 (ABIInternal) and in a TLS
// slot for assembly. The port keeps it only in a TLS slot, runtime.tls_g,
// read with one instruction, `movq %fs:runtime.tls_g@tpoff, reg`. Reserving a
// register would require every user translation unit to be built with
// -ffixed-r14 and would break calls into libc; the TLS load costs about one
// cycle more than a register read. The asm is volatile so the compiler never
// keeps a stale g across a call that may resume on another thread.
#pragma once
#include "asan.hpp"
#include "runtime2.hpp"

namespace runtime {

/// The current g's TLS slot (Go: runtime.tls_g). Local-exec TLS: gort is a
/// static library linked into executables.
extern thread_local g* tls_g asm("runtime.tls_g");

/// add: the pointer x bytes past p. \gosrc{stubs.go,add}
NOSPLIT_INLINE void* add(void* p, uintptr x) { return static_cast<char*>(p) + x; }

/// getg returns the running g: a user goroutine, or g0 while on the system
/// stack. nullptr on a thread the runtime does not own.
NOSPLIT_INLINE g* getg() {
  g* gp;
  asm volatile("movq %%fs:\"runtime.tls_g\"@tpoff, %0" : "=r"(gp));
  return gp;
}

/// mcall switches to g0's stack and calls fn(g) there, where g is the caller's
/// goroutine; fn must not return. The caller's context (with its callee-saved
/// registers pushed on its own stack) is saved in g.sched so that a later
/// gogo(&g.sched) returns from this mcall.
extern "C" void mcall(void (*fn)(g*)) asm("runtime.mcall");

/// systemstack runs fn on the system (g0) stack and returns; already on g0
/// or gsignal it simply calls fn.
extern "C" void systemstack_fv(funcval* fn) asm("runtime.systemstack");

/// systemstack(f) for any callable: f runs on g0's stack.
template <class F>
inline void systemstack(F&& f) {
  struct C : funcval {
    F* f;
  };
  C c;
  c.fn = [](funcval* fv) { (*static_cast<C*>(fv)->f)(); };
  c.f = &f;
  systemstack_fv(&c);
}

/// memclrEnds: zero n bytes, sizeof(W) <= n <= 2*sizeof(W), as two words
/// of type W at the two ends (memclr_amd64.s's _3or4 ... _17through32).
template <class W>
NOSPLIT_INLINE void memclrEnds(unsigned char* p, uintptr n) {
  W z{};
  __builtin_memcpy(p, &z, sizeof(W));
  __builtin_memcpy(p + n - sizeof(W), &z, sizeof(W));
}

/// memclrNoHeapPointers: zero n bytes at ptr, which hold no heap pointers
/// (or are not yet visible to the collector). Go writes it in assembly
/// (memclr_amd64.s), so no sanitizer checks it; the allocator relies on
/// that, as it clears memory it has not yet unpoisoned (asan.hpp). Here it
/// is a memset, and in an AddressSanitizer build `rep stosb`, which ASan
/// does not intercept. Up to 32 bytes of a size GCC does not know it
/// clears inline, as the assembly's small cases do (a call through the PLT
/// into the C library cost more than the clear: BenchmarkExtendSlice/NoGrow).
/// \gosrc{stubs.go,memclrNoHeapPointers}
NOSPLIT_INLINE void memclrNoHeapPointers(void* ptr, uintptr n) {
#ifdef GORT_ASAN
  asm volatile("rep stosb" : "+D"(ptr), "+c"(n) : "a"(0) : "memory");
#else
  if (__builtin_constant_p(n) || n > 32) {
    __builtin_memset(ptr, 0, n);
    return;
  }
  auto* p = static_cast<unsigned char*>(ptr);
  if (n > 16) {
    memclrEnds<unsigned __int128>(p, n);  // _17through32 (SSE)
  } else if (n >= 8) {
    memclrEnds<uint64>(p, n);  // _8, _9through16
  } else if (n >= 4) {
    memclrEnds<uint32>(p, n);  // _3or4 (4), _5through7
  } else if (n >= 2) {
    memclrEnds<uint16>(p, n);  // _1or2 (2), _3or4 (3)
  } else if (n == 1) {
    *p = 0;  // _1or2 (1)
  }
#endif
}

/// memmoveEnds: move n bytes, sizeof(W) <= n <= 2*sizeof(W), as two
/// words of type W, the first n and the last n bytes' ends, both loaded
/// before either is stored (memmove_amd64.s's move_N cases).
template <class W>
NOSPLIT_INLINE void memmoveEnds(unsigned char* d, const unsigned char* s, uintptr n) {
  W a, b;
  __builtin_memcpy(&a, s, sizeof(W));
  __builtin_memcpy(&b, s + n - sizeof(W), sizeof(W));
  __builtin_memcpy(d, &a, sizeof(W));
  __builtin_memcpy(d + n - sizeof(W), &b, sizeof(W));
}

/// memmove: copy n bytes from `from` to `to`; the ranges may overlap.
/// Up to 32 bytes it moves inline, as memmove_amd64.s's tail does: both
/// ends are loaded before either is stored, so an overlap is safe (Go's
/// move_1or2, move_3, move_4, move_5through7, move_8, move_9through16,
/// move_17through32). Longer moves, and every move whose size GCC knows,
/// go to __builtin_memmove (the C library's memmove, or inline moves).
/// Departure: Go's assembly has its own loops for the longer moves. The
/// small path matters where the size is a variable: a channel's element
/// (typedmemmove) and copy() of a short slice, which paid a call through
/// the PLT into the C library for a few bytes. \gosrc{stubs.go,memmove}
NOSPLIT_INLINE void memmove(void* to, const void* from, uintptr n) {
  if (__builtin_constant_p(n) || n > 32) {
    __builtin_memmove(to, from, n);
    return;
  }
  auto* d = static_cast<unsigned char*>(to);
  auto* s = static_cast<const unsigned char*>(from);
  if (n > 16) {
    memmoveEnds<unsigned __int128>(d, s, n);  // move_17through32 (SSE)
  } else if (n >= 8) {
    memmoveEnds<uint64>(d, s, n);  // move_8, move_9through16
  } else if (n >= 4) {
    memmoveEnds<uint32>(d, s, n);  // move_4, move_5through7
  } else if (n >= 2) {
    memmoveEnds<uint16>(d, s, n);  // move_1or2 (2), move_3
  } else if (n == 1) {
    *d = *s;  // move_1or2 (1)
  }
}

/// gogo restores the context in buf and jumps to it. Never returns.
extern "C" [[noreturn]] void gogo(gobuf* buf) asm("runtime.gogo");

/// setg installs gp as the current g (Go's setg, in asm there).
NOSPLIT_INLINE void setg(g* gp) {
  asm volatile("movq %0, %%fs:\"runtime.tls_g\"@tpoff" : : "r"(gp) : "memory");
}

/// The split-stack guard word of this thread (see go_asm.h).
NOSPLIT_INLINE void setTLSGuard(uintptr v) {
  asm volatile("movq %0, %%fs:0x70" : : "r"(v) : "memory");
}
NOSPLIT_INLINE uintptr getTLSGuard() {
  uintptr v;
  asm volatile("movq %%fs:0x70, %0" : "=r"(v));
  return v;
}

/// procyield spins `cycles` PAUSE instructions.
extern "C" void procyield(uint32 cycles) asm("runtime.procyield");

/// goexit is the bottom frame of every goroutine: the goroutine's function
/// returns into it and it calls goexit1. Its CFI ends unwinding there.
extern "C" void goexit() asm("runtime.goexit");

/// publicationBarrier: make the stores that initialised an object visible
/// before the stores that publish a pointer to it. amd64 keeps stores in
/// order, so Go's is empty there; the compiler must still not move stores
/// across it. \gosrc{stubs.go,publicationBarrier}
NOSPLIT_INLINE void publicationBarrier() { asm volatile("" ::: "memory"); }

/// getcallerpc / getcallersp (stubs.go): the return address and the caller's
/// stack pointer of the function that calls them.
#define getcallerpc() (reinterpret_cast<uintptr>(__builtin_return_address(0)))
#define getcallersp() (reinterpret_cast<uintptr>(__builtin_frame_address(0)) + 16)

/// __morestack: called by a split-stack prologue when the stack pointer would
/// pass below the guard word (Go: runtime.morestack).
extern "C" void __morestack();

/// mstart is the entry of every new M (asm: it calls mstart0).
extern "C" void mstart() asm("runtime.mstart");

/// cputicks reads the time-stamp counter (RDTSC).
extern "C" int64 cputicks() asm("runtime.cputicks");

/// systemstack_switch: a return address that makes a g switched to the
/// system stack look, in a traceback, as if it called systemstack.
extern "C" void systemstack_switch() asm("runtime.systemstack_switch");

/// PCQuantum: the smallest instruction size, by which a return address
/// is backed up into its call (1 on amd64; Go: internal/goarch.PCQuantum).
inline constexpr uintptr PCQuantum = 1;

/// alignUp rounds n up to a multiple of a, a power of 2.
/// \gosrc{stubs.go,alignUp}
NOSPLIT_INLINE constexpr uintptr alignUp(uintptr n, uintptr a) { return (n + a - 1) & ~(a - 1); }

/// alignDown rounds n down to a multiple of a, a power of 2.
/// \gosrc{stubs.go,alignDown}
NOSPLIT_INLINE constexpr uintptr alignDown(uintptr n, uintptr a) { return n & ~(a - 1); }

/// divRoundUp: n / a, rounded up. \gosrc{stubs.go,divRoundUp}
inline constexpr uintptr divRoundUp(uintptr n, uintptr a) { return (n + a - 1) / a; }

/// bool2int: 1 for true, 0 for false. \gosrc{stubs.go,bool2int}
NOSPLIT_INLINE constexpr int bool2int(bool x) { return x ? 1 : 0; }

}  // namespace runtime
