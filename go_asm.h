/* go_asm.h: struct offsets shared by asm_amd64.S and C++.
 *
 * Go's compiler writes a go_asm.h with the offsets of runtime structs for the
 * assembler (cmd/compile -asmhdr). Here it is written by hand and every value
 * is checked against the C++ layout by static_assert in asm_offsets.cpp, so a
 * change to runtime2.hpp that moves a field breaks the build, not the stack.
 */
#ifndef GORT_GO_ASM_H
#define GORT_GO_ASM_H

/* g */
#define g_stack 0
#define g_stack_lo 0
#define g_stack_hi 8
#define g_stackguard0 16
#define g_stackguard1 24
#define g_m 48
#define g_sched 56
#define g_stackseg 120
#define g_stackup 128

/* stktop (stack.hpp): the record at the top of a stack segment */
#define stktop_prev_lo 0
#define stktop_prev_hi 8
#define stktop_prevsp 16
#define stktop_down 24
#define stktop_up 32
#define stktop_self_lo 40
#define stktop_self_hi 48
#define stktop_size 56

/* stackGuard (stack.hpp): g.stackguard0 = stack.lo + stack_guard */
#define stack_guard 16384
/* stackPreempt (proc.hpp): the guard value that asks for preemption */
#define stack_preempt 0xfffffffffffffade

/* gobuf */
#define gobuf_sp 0
#define gobuf_pc 8
#define gobuf_g 16
#define gobuf_ctxt 24
#define gobuf_ret 32
#define gobuf_lr 40
#define gobuf_bp 48

/* m */
#define m_g0 0
#define m_gsignal 8
#define m_tcb 16
#define m_curg 32

/* __morestack's save area, at g.sched.sp while newstack runs: xmm0-7 (128
 * bytes), then 15 general registers (r15 lowest, rax highest), then the
 * return address into the function whose prologue tripped. The prologue put
 * that function's frame size in r10; its stack pointer at the check is just
 * above the return address. The fast path fills only the rax, rcx, rdx,
 * rsi, rdi, rbp, r10 and r11 slots; once the body is called, the r10 slot
 * holds the prologue's RET address (asm_amd64.S, CALL_BODY_PREP). */
#define morestack_xmm_size 128
#define morestack_rbp (morestack_xmm_size + 4 * 8)
#define morestack_r11 (morestack_xmm_size + 6 * 8)
#define morestack_r10 (morestack_xmm_size + 7 * 8)
#define morestack_rax (morestack_xmm_size + 14 * 8)
#define morestack_ret (morestack_xmm_size + 15 * 8)
#define morestack_fnsp (morestack_ret + 8)

/* The split-stack guard word in the x86-64 glibc TCB (tcbhead_t.__private_ss).
 * Every function compiled with -fsplit-stack compares its new stack pointer
 * with %fs:0x70 in its prologue and calls __morestack when below it. */
#define tcb_stackguard 0x70

#endif
