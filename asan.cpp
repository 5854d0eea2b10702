// asan.cpp: AddressSanitizer support, mirroring asan.go at go1.22.12, built
// only with -fsanitize=address (asan.hpp gives the empty versions otherwise,
// as asan0.go does).
//
// Go's asan.go is four calls into the sanitizer's run time (read, write,
// poison, unpoison) for the allocator. The port needs, in addition, to tell
// ASan about its stack switches, because ASan keeps per-thread facts about
// "the" stack: its bounds (to unpoison a stack when a function does not
// return: __asan_handle_no_return, called before every throw) and a fake
// stack for use-after-return detection. A thread that jumps between
// goroutine stacks behind ASan's back makes those facts wrong: ASan then
// warns that it ignores __asan_handle_no_return and reports false errors on
// frames it thinks are still live.
//
// The fiber protocol: before the switch, on the old stack,
// __sanitizer_start_switch_fiber(save, bottom, size) names the new stack;
// after it, on the new stack, __sanitizer_finish_switch_fiber(saved, ...)
// completes it. `save` receives the old stack's fake stack when the old
// context will be resumed (mcall, systemstack, __morestack save it in g.sched),
// and is null when the old context is abandoned for good (gogo leaves g0's
// scheduler frames behind; the next mcall starts g0 afresh at g0.sched.sp).
//
// Invariant [asan-abandon]: when a stack's frames are abandoned without
// returning (g0's at every gogo), their redzones stay poisoned in shadow
// memory. asanLeave unpoisons exactly the abandoned range, [sp, g0.sched.sp),
// so that the next frames built there are not reported as overflows.
#include "asan.hpp"

#ifdef GORT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

#include "stubs.hpp"

namespace runtime {

/// asanread reports an invalid read of [addr, addr+sz) if ASan thinks the
/// range is not addressable. \gosrc{asan.go,asanread}
void asanread(void* addr, uintptr sz) {
  if (void* bad = __asan_region_is_poisoned(addr, sz)) __asan_report_error(
      __builtin_return_address(0), __builtin_frame_address(0), __builtin_frame_address(0), bad, false, sz);
}

/// asanwrite: the same for a write. \gosrc{asan.go,asanwrite}
void asanwrite(void* addr, uintptr sz) {
  if (void* bad = __asan_region_is_poisoned(addr, sz)) __asan_report_error(
      __builtin_return_address(0), __builtin_frame_address(0), __builtin_frame_address(0), bad, true, sz);
}

/// asanunpoison marks [addr, addr+sz) addressable. \gosrc{asan.go,asanunpoison}
void asanunpoison(void* addr, uintptr sz) { __asan_unpoison_memory_region(addr, sz); }

/// asanpoison marks [addr, addr+sz) unaddressable: a later access is
/// reported at once. \gosrc{asan.go,asanpoison}
void asanpoison(void* addr, uintptr sz) { __asan_poison_memory_region(addr, sz); }

/// asanLeave: the first half of a stack switch from `from` to `to`, on
/// from's stack at sp. save: from's context will be resumed (its fake stack
/// is kept in from->asanFakeStack); else from's frames below its base are
/// abandoned ([asan-abandon]).
/// Departure: no Go counterpart (Go's stacks are not ASan stacks).
void asanLeave(g* from, g* to, uintptr sp, bool save) {
  if (save) {
    __sanitizer_start_switch_fiber(&from->asanFakeStack, reinterpret_cast<void*>(to->stack_.lo),
                                   to->stack_.hi - to->stack_.lo);
    return;
  }
  // Only g0 abandons frames: gogo is always called on the system stack.
  if (from != nullptr && from->m != nullptr && from == from->m->g0 && from->sched.sp > sp)
    __asan_unpoison_memory_region(reinterpret_cast<void*>(sp), from->sched.sp - sp);
  __sanitizer_start_switch_fiber(nullptr, reinterpret_cast<void*>(to->stack_.lo), to->stack_.hi - to->stack_.lo);
}

/// asanUnwound: an exception is leaving a stack segment for the one below
/// (lessstack's cleanup, on that one now). When it was thrown, ASan
/// cleared the poison of the dead frames only on the segment it was
/// thrown on (__asan_handle_no_return: from sp to that stack's top); the
/// frames it now unwinds here would keep theirs, and code that later runs
/// at those addresses would be reported. So clear this segment too, as
/// one contiguous stack would have been.
/// Departure: no Go counterpart (Go's stacks are not ASan stacks).
void asanUnwound() { __asan_handle_no_return(); }

/// asanArrive: the second half, on to's stack.
/// Departure: no Go counterpart.
void asanArrive(g* to) {
  void* fake = to->asanFakeStack;
  to->asanFakeStack = nullptr;
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
}

}  // namespace runtime
#endif  // GORT_ASAN
