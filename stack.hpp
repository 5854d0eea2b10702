// stack.hpp: the sizes of goroutine stacks and of the stack caches, from
// stack.go (fixedStack) and malloc.go (_NumStackOrders, _StackCacheSize) at
// go1.22.12; stack.cpp allocates the stacks, mcache.hpp holds a P's cache.
//
// Departure (the stack model; stack.cpp's header says more): a goroutine's
// stack never moves or grows, so there is one stack size, 256 KiB. It is
// the port's fixedStack, the smallest (and only) stack stackalloc hands
// out, and Go's stack-size thresholds are kept relative to it: Go's four
// orders (2, 4, 8, 16 KiB) become 256 KiB, 512 KiB, 1 MiB and 2 MiB, and
// _StackCacheSize stays sixteen order-0 stacks (Go: 32 KiB = 16 x 2 KiB),
// 4 MiB. So a 256 KiB stack is an order-0 stack of the stackpool, carved
// from a 4 MiB stack span sixteen at a time and cached per P, as Go's 2 KiB
// starting stacks are; Go's own constants would make it a "large" stack
// (n >= _StackCacheSize) with an mspan, a heap-lock round trip and a
// spans-map entry per goroutine, and no per-P cache.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// fixedStack: the smallest stack stackalloc hands out; with the port's
/// fixed stacks, the size of every goroutine stack. \gosrc{stack.go,fixedStack}
///
/// Departure: AddressSanitizer surrounds every local array with redzones,
/// which makes deep frames more than twice as large (TestStackMem's 128
/// frames of 1 KiB overflowed 256 KiB), so an ASan build gives each
/// goroutine 1 MiB. Go's stacks grow, so its -asan builds need no such thing.
#if defined(__SANITIZE_ADDRESS__)
#define GORT_STACK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORT_STACK_ASAN 1
#endif
#endif
#ifdef GORT_STACK_ASAN
inline constexpr uintptr fixedStack = 1 << 20;
#else
inline constexpr uintptr fixedStack = 256 << 10;
#endif

/// _NumStackOrders: how many stack sizes (fixedStack << order) the stackpool
/// and the per-P caches keep. \gosrc{malloc.go,_NumStackOrders}
inline constexpr uintptr _NumStackOrders = 4;

/// _StackCacheSize: the bytes of stacks of one order a P caches at most, and
/// the size of a stackpool span. Departure: sixteen fixedStack stacks, as in
/// Go (see the header). \gosrc{malloc.go,_StackCacheSize}
inline constexpr uintptr _StackCacheSize = 16 * fixedStack;

}  // namespace runtime
