// asm_offsets.cpp: checks that go_asm.h agrees with runtime2.hpp.
// Nothing here runs; a mismatch is a compile error.
#include <cstddef>

#include "go_asm.h"
#include "proc.hpp"
#include "runtime2.hpp"
#include "stack.hpp"

namespace runtime {
static_assert(offsetof(g, stack_) == g_stack);
static_assert(offsetof(g, stack_) + offsetof(stack, lo) == g_stack_lo);
static_assert(offsetof(g, stack_) + offsetof(stack, hi) == g_stack_hi);
static_assert(offsetof(g, stackguard0) == g_stackguard0);
static_assert(offsetof(g, stackguard1) == g_stackguard1);
static_assert(offsetof(g, m) == g_m);
static_assert(offsetof(g, sched) == g_sched);
static_assert(offsetof(g, stackseg) == g_stackseg);
static_assert(offsetof(g, stackup) == g_stackup);
static_assert(offsetof(stktop, prevsp) == stktop_prevsp);
static_assert(offsetof(stktop, up) == stktop_up);
static_assert(offsetof(stktop, self) + offsetof(stack, hi) == stktop_self_hi);
static_assert(sizeof(stktop) == stktop_size);
static_assert(stackPreempt == stack_preempt);
static_assert(offsetof(stktop, prev) + offsetof(stack, lo) == stktop_prev_lo);
static_assert(offsetof(stktop, prev) + offsetof(stack, hi) == stktop_prev_hi);
static_assert(offsetof(stktop, down) == stktop_down);
static_assert(offsetof(stktop, self) + offsetof(stack, lo) == stktop_self_lo);
static_assert(stackGuard == stack_guard);
static_assert(offsetof(gobuf, sp) == gobuf_sp);
static_assert(offsetof(gobuf, pc) == gobuf_pc);
static_assert(offsetof(gobuf, g) == gobuf_g);
static_assert(offsetof(gobuf, ctxt) == gobuf_ctxt);
static_assert(offsetof(gobuf, ret) == gobuf_ret);
static_assert(offsetof(gobuf, lr) == gobuf_lr);
static_assert(offsetof(gobuf, bp) == gobuf_bp);
static_assert(offsetof(m, g0) == m_g0);
static_assert(offsetof(m, gsignal) == m_gsignal);
static_assert(offsetof(m, tcb) == m_tcb);
static_assert(offsetof(m, curg) == m_curg);
}  // namespace runtime
