// asan.hpp: AddressSanitizer support, mirroring asan.go and asan0.go at
// go1.22.12. Go's runtime calls asanread/asanwrite/asanpoison/asanunpoison
// (under `if asanenabled`) where memory changes hands outside what the
// compiler can see: the allocator poisons what it frees and unpoisons what it
// hands out. The port adds the one thing ASan needs that Go's does not: the
// stack switches. A Go program built with -asan keeps goroutine stacks in
// the Go heap, which ASan never sees as stacks; gort's goroutines run C++
// code that ASan instruments, so every switch of stack tells ASan where the
// new stack is (the fiber API, __sanitizer_start_switch_fiber and
// __sanitizer_finish_switch_fiber) and frames left behind for good are
// unpoisoned (asanLeave, asanArrive in asan.cpp; called from asm_amd64.S
// through stack.cpp's fiberLeave/fiberArrive).
//
// Without -fsanitize=address every function here is an empty inline, as
// asan0.go's are, and asanenabled is false.
#pragma once
#include "runtime2.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define GORT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORT_ASAN 1
#endif
#endif

namespace runtime {

#ifdef GORT_ASAN
/// asanenabled: the program is built with AddressSanitizer. \gosrc{asan.go,asanenabled}
inline constexpr bool asanenabled = true;
NOSPLIT void asanread(void* addr, uintptr sz);
NOSPLIT void asanwrite(void* addr, uintptr sz);
void asanunpoison(void* addr, uintptr sz);
void asanpoison(void* addr, uintptr sz);
NOSPLIT __attribute__((no_sanitize_address)) void asanLeave(g* from, g* to, uintptr sp, bool save);
NOSPLIT __attribute__((no_sanitize_address)) void asanArrive(g* to);
NOSPLIT __attribute__((no_sanitize_address)) void asanUnwound();
#else
inline constexpr bool asanenabled = false;
NOSPLIT_INLINE void asanread(void*, uintptr) {}
NOSPLIT_INLINE void asanwrite(void*, uintptr) {}
inline void asanunpoison(void*, uintptr) {}
inline void asanpoison(void*, uintptr) {}
inline void asanLeave(g*, g*, uintptr, bool) {}
inline void asanArrive(g*) {}
inline void asanUnwound() {}
#endif

}  // namespace runtime
