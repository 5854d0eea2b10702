// stack.hpp: the sizes of goroutine stacks and of the stack caches, from
// stack.go (fixedStack) and malloc.go (_NumStackOrders, _StackCacheSize) at
// go1.22.12; stack.cpp allocates the stacks, mcache.hpp holds a P's cache.
//
// Departure (the stack model; stack.cpp's header says more): a goroutine's
// stack never moves; it grows by segments. Every goroutine starts on
// 32 KiB, the port's fixedStack, the smallest stack stackalloc hands out,
// of which the lowest stackGuard (16 KiB) is kept for code that does not
// check, so 16 KiB of frames fit before the first segment. Go's
// stack-size thresholds are kept relative to it: Go's four orders (2, 4,
// 8, 16 KiB) become 32, 64, 128 and 256 KiB, and _StackCacheSize stays
// sixteen order-0 stacks (Go: 32 KiB = 16 x 2 KiB), 512 KiB. So a first
// stack is an order-0 stack of the stackpool, carved from a 512 KiB stack
// span sixteen at a time and cached per P, as Go's 2 KiB starting stacks
// are, and the first segments (64 to 256 KiB) come from the same caches.
// Why 32 KiB: it is the smallest power of two above stackGuard with room
// for frames, and the heap's metadata (spans map, page bitmaps, page
// tables) grows with the address space stacks cover, not the pages they
// touch; a million goroutines took 21.4 us each on 256 KiB stacks and
// 10.0 us on 32 KiB ones (bench/million, GOMAXPROCS=2, 2026-12-07).
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// fixedStack: the smallest stack stackalloc hands out, the size of every
/// goroutine's first stack but the main goroutine's (mainStackSize).
/// \gosrc{stack.go,fixedStack}
///
/// Departure: AddressSanitizer surrounds every local array with redzones,
/// which makes frames more than twice as large and the runtime's own paths
/// deeper, so an ASan build gives each goroutine 1 MiB, as it did when
/// every build's first stack was 256 KiB. Go's -asan builds start at 2 KiB
/// like the others.
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
inline constexpr uintptr fixedStack = 32 << 10;
#endif

/// mainStackSize: the main goroutine's first stack (port only).
/// Departure: Go's main goroutine starts on the same 2 KiB as any other.
/// The port's runs the program's C++ main, where code built without
/// -fsplit-stack is common (a test framework, Google Benchmark,
/// std::regex), and such code cannot grow a stack: it has the guard area
/// and whatever room the segment has above it. So the main goroutine starts
/// on 256 KiB, the size every first stack had before 2026-12-07, on which
/// such code ran (Google Benchmark's std::regex for its filter needs more
/// than the 32 KiB of fixedStack). Other goroutines get the same guarantee
/// as before, 16 KiB below the guard (stackGuard).
inline constexpr uintptr mainStackSize = fixedStack > (256 << 10) ? fixedStack : 256 << 10;

/// stackGuard: the room below g.stackguard0 for code that does not check:
/// NOSPLIT chains, libc and other code built without -fsplit-stack, and
/// __morestack itself (Go: 928 bytes on linux/amd64). go_asm.h's stack_guard.
inline constexpr uintptr stackGuard = 16 << 10;

/// stktop: the record at the top of every stack segment but a goroutine's
/// first stack (stack.cpp's header, "segments"). Named after Go 1.2's
/// Stktop (runtime.h at go1.2), the record its segmented stacks kept at the
/// top of each segment; go1.22.12 copies stacks and has none. lessstack
/// (asm_amd64.S) reads prev and down through go_asm.h, so the layout is
/// fixed there. Invariants:
///   [seg-chain]  g.stackseg is the record of the segment g runs on
///                (nullptr on the first stack); following down from it
///                visits every segment that holds g's frames, newest first,
///                and g.stack_ is always the segment g's sp is in.
///   [seg-spare]  up links a segment to the next newer one; those above
///                g.stackseg hold no frames and are kept for the next
///                growth, so a call that crosses a segment's end in a loop
///                takes no allocation (the "hot split"). They are freed by
///                shrinkstack (when a collection scans g) and by gfput.
struct stktop {
  stack prev;        // the segment below (older): g.stack_ again when lessstack leaves this one
  uintptr prevsp;    // g's frames on prev end here: __morestack's save area
  stktop* down;      // prev's record; nullptr when prev is g's first stack
  stktop* up;        // the next newer segment (in use or spare); nullptr if none
  stack self;        // this segment
};

/// _NumStackOrders: how many stack sizes (fixedStack << order) the stackpool
/// and the per-P caches keep. \gosrc{malloc.go,_NumStackOrders}
inline constexpr uintptr _NumStackOrders = 4;

/// _StackCacheSize: the bytes of stacks of one order a P caches at most, and
/// the size of a stackpool span. Departure: sixteen fixedStack stacks, as in
/// Go (see the header). \gosrc{malloc.go,_StackCacheSize}
inline constexpr uintptr _StackCacheSize = 16 * fixedStack;

}  // namespace runtime
