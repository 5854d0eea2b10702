/* asm_amd64.S: the routines of asm_amd64.s (go1.22.12) that must be
 * assembly because they change the stack pointer or the current g.
 *
 * Conventions: System V calling convention (Departure: Go's assembly
 * routines use ABI0, which passes arguments on the stack; its compiled code
 * uses ABIInternal, which passes them in registers and keeps g in R14). The current g lives in the TLS
 * slot runtime.tls_g; get_tls/setg below are the two instructions Go's
 * get_tls(CX); MOVQ g(CX), AX pair becomes. Every switch of g also reloads
 * the split-stack guard word %fs:0x70 from the new g's stackguard0 (runtime2.hpp
 * invariant [tls-guard]). Offsets come from go_asm.h, checked by static_assert
 * in asm_offsets.cpp.
 *
 * Callee-saved registers: Go's ABI has none, so Go's gobuf holds only sp, pc,
 * bp, ctxt. C++ callers expect rbx, rbp and r12-r15 preserved across mcall, so
 * mcall pushes them on the goroutine's own stack before saving sp; the saved
 * pc is mcall's resume label, which pops them. A new goroutine's gobuf points
 * straight at its entry function, so gogo is the same for both.
 */
#include "go_asm.h"

/* Sanitizer builds (GORT_SANITIZE=address or thread): every switch of stack
 * tells the sanitizer, through two C++ hooks in stack.cpp:
 *	fiberLeave(g* to, uintptr sp, uintptr save)	on the old stack, before
 *	fiberArrive(g* to)				on the new stack, after
 * save is 1 when the old context will be resumed (mcall, systemstack,
 * __morestack), 0 when its frames are abandoned (gogo). Both hooks are
 * NOSPLIT (no prologue check): __morestack calls fiberLeave on a stack
 * already below its guard. Registers live across a hook are kept in
 * callee-saved registers that the routine has already saved or is about to
 * reload. Without a sanitizer FIBER_* expand to nothing. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(GORT_SANITIZE_FIBERS)
#define GORT_FIBERS 1
/* Call fn with rsp 16-aligned; rsp is kept in r15 across the call. */
#define ALIGNED_CALL(fn) movq %rsp, %r15; andq $-16, %rsp; callq fn; movq %r15, %rsp
#endif

#define GET_G(reg) movq %fs:"runtime.tls_g"@tpoff, reg
#define SET_G(reg) movq reg, %fs:"runtime.tls_g"@tpoff
/* Load g.stackguard0 into the TLS guard word. Clobbers tmp. */
#define SET_GUARD(greg, tmp) movq g_stackguard0(greg), tmp; movq tmp, %fs:tcb_stackguard

	.text

/* void gogo(gobuf* buf): restore the context in buf and jump to it. */
	.globl "runtime.gogo"
	.type "runtime.gogo", @function
	.p2align 4
"runtime.gogo":
	.cfi_startproc
	movq	gobuf_g(%rdi), %rdx
	movq	0(%rdx), %rcx		/* fault early if g is nil */
#ifdef GORT_FIBERS
	/* rbx and r12-r15 are free: the context gogo jumps to restores its
	 * own (mcall's and __morestack's resume code pop them) or has none. */
	movq	%rdi, %rbx
	movq	%rdx, %rdi		/* fiberLeave(to, sp, 0): g0's frames */
	movq	%rsp, %rsi		/* from here up are abandoned */
	xorl	%edx, %edx
	ALIGNED_CALL("runtime.fiberLeave")
	movq	%rbx, %rdi
	movq	gobuf_g(%rdi), %rdx
#endif
	SET_G(%rdx)
	SET_GUARD(%rdx, %rcx)
	movq	gobuf_sp(%rdi), %rsp
#ifdef GORT_FIBERS
	movq	%rdx, %rdi		/* fiberArrive(to), on to's stack */
	ALIGNED_CALL("runtime.fiberArrive")
	movq	%rbx, %rdi
#endif
	movq	gobuf_bp(%rdi), %rbp
	movq	gobuf_pc(%rdi), %rcx
	movq	gobuf_ctxt(%rdi), %rax
	movq	$0, gobuf_sp(%rdi)	/* clear to help a future collector */
	movq	$0, gobuf_ctxt(%rdi)
	movq	$0, gobuf_bp(%rdi)
	movq	%rax, %rdi		/* the closure is the entry's first argument */
	jmp	*%rcx
	.cfi_endproc
	.size "runtime.gogo", .-"runtime.gogo"

/* void mcall(void (*fn)(g*)): switch to g0's stack and call fn(g). fn must
 * not return. Saves the caller's context in g.sched so that gogo(&g.sched)
 * returns from this call. */
	.globl "runtime.mcall"
	.type "runtime.mcall", @function
	.p2align 4
"runtime.mcall":
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp		/* a frame of its own: g.sched.bp then chains */
					/* to the caller's return address, so tracebacks */
					/* of the parked g show the caller (gopark's, or */
					/* the function that tail-called into mcall) */
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rbx, -24
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_offset %r12, -32
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_offset %r13, -40
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_offset %r14, -48
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_offset %r15, -56
	GET_G(%rax)			/* save state in g.sched */
	movq	%rsp, (g_sched+gobuf_sp)(%rax)
	leaq	.Lmcall_resume(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	movq	%rbp, (g_sched+gobuf_bp)(%rax)
	movq	%rax, (g_sched+gobuf_g)(%rax)
	movq	g_m(%rax), %rbx		/* switch to m.g0 and its stack */
	movq	m_g0(%rbx), %rsi
	cmpq	%rsi, %rax
	je	.Lmcall_bad
#ifdef GORT_FIBERS
	movq	%rdi, %r12		/* fn, g, g0: in registers pushed above */
	movq	%rax, %r13
	movq	%rsi, %r14
	movq	%rsi, %rdi		/* fiberLeave(g0, sp, 1) */
	movq	%rsp, %rsi
	movl	$1, %edx
	ALIGNED_CALL("runtime.fiberLeave")
	movq	%r12, %rdi
	movq	%r13, %rax
	movq	%r14, %rsi
#endif
	SET_G(%rsi)
	SET_GUARD(%rsi, %rcx)
	movq	(g_sched+gobuf_sp)(%rsi), %rsp
	.cfi_remember_state
	.cfi_undefined rip		/* on g0 now: unwinding stops here */
#ifdef GORT_FIBERS
	movq	%rsi, %rdi		/* fiberArrive(g0) */
	ALIGNED_CALL("runtime.fiberArrive")
	movq	%r12, %rdi
	movq	%r13, %rax
#endif
	movq	%rdi, %rcx		/* fn */
	movq	%rax, %rdi		/* fn(g) */
	xorl	%ebp, %ebp		/* g0's frames start here for unwinders */
	callq	*%rcx
	callq	"runtime.badmcall2"	/* fn returned */
	ud2
.Lmcall_bad:
	callq	"runtime.badmcall"
	ud2
.Lmcall_resume:				/* gogo(&g.sched) lands here */
	.cfi_restore_state
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	ret
	.cfi_endproc
	.size "runtime.mcall", .-"runtime.mcall"

/* systemstack_switch: never called; its address (+1) stands in g.sched.pc
 * while a goroutine is switched to the system stack, so a traceback of that
 * goroutine shows it stopped in systemstack. */
	.globl "runtime.systemstack_switch"
	.type "runtime.systemstack_switch", @function
	.p2align 4
"runtime.systemstack_switch":
	.cfi_startproc
	nop
	ud2
	.cfi_endproc
	.size "runtime.systemstack_switch", .-"runtime.systemstack_switch"

/* gosave_systemstack_switch: record in g.sched (g in %rax) that g is parked
 * in systemstack_switch at the caller's stack pointer. Clobbers %rcx. */
	.globl "runtime.gosave_systemstack_switch"
	.type "runtime.gosave_systemstack_switch", @function
	.p2align 4
"runtime.gosave_systemstack_switch":
	.cfi_startproc
	leaq	("runtime.systemstack_switch"+1)(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	leaq	8(%rsp), %rcx
	movq	%rcx, (g_sched+gobuf_sp)(%rax)
	movq	%rbp, (g_sched+gobuf_bp)(%rax)
	movq	%rax, (g_sched+gobuf_g)(%rax)
	ret
	.cfi_endproc
	.size "runtime.gosave_systemstack_switch", .-"runtime.gosave_systemstack_switch"

/* void systemstack(funcval* fn): run fn->fn(fn) on the system stack and
 * return. On g0 or gsignal already, just call it. */
	.globl "runtime.systemstack"
	.type "runtime.systemstack", @function
	.p2align 4
"runtime.systemstack":
	.cfi_startproc
	GET_G(%rax)
	movq	g_m(%rax), %rcx
	cmpq	m_gsignal(%rcx), %rax
	je	.Lsys_noswitch
	movq	m_g0(%rcx), %rdx
	cmpq	%rdx, %rax
	je	.Lsys_noswitch
	cmpq	m_curg(%rcx), %rax
	jne	.Lsys_bad
	pushq	%rbp			/* a frame so unwinders cross back */
	.cfi_adjust_cfa_offset 8
	.cfi_offset rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register rbp
	/* Every callee-saved register goes on the goroutine's stack, under
	 * the sp that g.sched records: while the goroutine is switched out,
	 * the collector scans its stack from there (mgcmark.cpp, scanstack)
	 * and must see the pointers its callers keep in these registers. The
	 * sixth push keeps the stack 16-aligned. */
	pushq	%rbx
	.cfi_offset rbx, -24
	pushq	%r12
	.cfi_offset r12, -32
	pushq	%r13
	.cfi_offset r13, -40
	pushq	%r14
	.cfi_offset r14, -48
	pushq	%r15
	.cfi_offset r15, -56
	pushq	%r15
	callq	"runtime.gosave_systemstack_switch"
	movq	%rax, %rbx		/* rbx = the user g, kept across fn */
#ifdef GORT_FIBERS
	movq	%rdi, %r12		/* fn */
	movq	%rdx, %rdi		/* fiberLeave(g0, sp, 1) */
	movq	%rsp, %rsi
	movl	$1, %edx
	ALIGNED_CALL("runtime.fiberLeave")
	movq	%r12, %rdi
	movq	g_m(%rbx), %rdx
	movq	m_g0(%rdx), %rdx
#endif
	SET_G(%rdx)
	SET_GUARD(%rdx, %rcx)
	movq	(g_sched+gobuf_sp)(%rdx), %rsp
	andq	$-16, %rsp
#ifdef GORT_FIBERS
	movq	%rdx, %rdi		/* fiberArrive(g0) */
	callq	"runtime.fiberArrive"
	movq	%r12, %rdi
#endif
	callq	*(%rdi)			/* fn->fn(fn) */
#ifdef GORT_FIBERS
	movq	%rbx, %rdi		/* fiberLeave(g, sp, 0): back to g */
	movq	%rsp, %rsi
	xorl	%edx, %edx
	ALIGNED_CALL("runtime.fiberLeave")
#endif
	SET_G(%rbx)			/* switch back to the user g */
	SET_GUARD(%rbx, %rcx)
	movq	(g_sched+gobuf_sp)(%rbx), %rsp
	movq	$0, (g_sched+gobuf_sp)(%rbx)	/* clear both, as Go does: a stale */
	movq	$0, (g_sched+gobuf_bp)(%rbx)	/* bp names a stack that may be freed */
#ifdef GORT_FIBERS
	movq	%rbx, %rdi		/* fiberArrive(g) */
	ALIGNED_CALL("runtime.fiberArrive")
#endif
	popq	%r15
	popq	%r15
	.cfi_restore r15
	popq	%r14
	.cfi_restore r14
	popq	%r13
	.cfi_restore r13
	popq	%r12
	.cfi_restore r12
	popq	%rbx
	.cfi_restore rbx
	popq	%rbp
	.cfi_def_cfa rsp, 8
	ret
.Lsys_noswitch:
	jmp	*(%rdi)			/* tail call fn->fn(fn) */
.Lsys_bad:
	callq	"runtime.badsystemstack"
	ud2
	.cfi_endproc
	.size "runtime.systemstack", .-"runtime.systemstack"

/* goexit: the return address planted at the top of every goroutine stack.
 * The goroutine's entry returns to goexit+1 (past the NOP, so the return
 * address is inside goexit) and goexit1 ends the goroutine. Its CFI marks
 * the return address undefined: C++ unwinding and gdb stop here. */
	.globl "runtime.goexit"
	.type "runtime.goexit", @function
	.p2align 4
"runtime.goexit":
	.cfi_startproc
	.cfi_undefined rip
	nop
	callq	"runtime.goexit1"
	ud2
	.cfi_endproc
	.size "runtime.goexit", .-"runtime.goexit"

/* void mstart(void): the first frame of every M, on its own OS stack; it
 * returns only when the M's thread ends. It records itself in g0.sched: the
 * base of g0's stack for mcall and systemstack, and the place where
 * gdestroy's gogo(&m.g0.sched) ends a thread whose goroutine exited while
 * locked to it. Departure: Go's mstart1 records its caller, mstart0, which
 * then calls mexit; compiled C++ keeps values in callee-saved registers
 * across a call, and gogo restores none, so the resume point is here, where
 * the C++ caller's registers are pushed and popped explicitly. */
	.globl "runtime.mstart"
	.type "runtime.mstart", @function
	.p2align 4
"runtime.mstart":
	.cfi_startproc
	.cfi_undefined rip
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp		/* 16-aligned for the calls below */
	xorl	%ebp, %ebp
	GET_G(%rax)			/* g0.sched: resume at .Lmstart_exit */
	movq	%rsp, (g_sched+gobuf_sp)(%rax)
	leaq	.Lmstart_exit(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	movq	$0, (g_sched+gobuf_bp)(%rax)
	movq	%rax, (g_sched+gobuf_g)(%rax)
	callq	"runtime.mstart0"	/* does not return */
	ud2
.Lmstart_exit:				/* gogo(&m.g0.sched): the thread ends */
	movl	$1, %edi
	callq	"runtime.mexit"		/* mexit(osStack=true) */
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size "runtime.mstart", .-"runtime.mstart"

/* MS_GPR(i): the offset in __morestack's save area of general register
 * slot i (0 = r15 ... 14 = rax; the xmm registers lie below slot 0). */
#define MS_GPR(i) (morestack_xmm_size + (i) * 8)	/* go_asm.h names slots 4, 6, 7, 14 */

/* MS_SAVE_REST: save what __morestack's entry did not (r8, r9, rbx,
 * r12-r15, xmm0-7): every path but the fast one may call C++ or switch
 * stacks. */
.macro MS_SAVE_REST
	movq	%r8, MS_GPR(9)(%rsp)
	movq	%r9, MS_GPR(8)(%rsp)
	movq	%rbx, MS_GPR(5)(%rsp)
	movq	%r12, MS_GPR(3)(%rsp)
	movq	%r13, MS_GPR(2)(%rsp)
	movq	%r14, MS_GPR(1)(%rsp)
	movq	%r15, MS_GPR(0)(%rsp)
	movdqu	%xmm0, 0(%rsp)
	movdqu	%xmm1, 16(%rsp)
	movdqu	%xmm2, 32(%rsp)
	movdqu	%xmm3, 48(%rsp)
	movdqu	%xmm4, 64(%rsp)
	movdqu	%xmm5, 80(%rsp)
	movdqu	%xmm6, 96(%rsp)
	movdqu	%xmm7, 112(%rsp)
.endm

/* MS_RESTORE_REST: the registers MS_SAVE_REST saved, from the save area
 * at rdi. */
.macro MS_RESTORE_REST
	movdqu	0(%rdi), %xmm0
	movdqu	16(%rdi), %xmm1
	movdqu	32(%rdi), %xmm2
	movdqu	48(%rdi), %xmm3
	movdqu	64(%rdi), %xmm4
	movdqu	80(%rdi), %xmm5
	movdqu	96(%rdi), %xmm6
	movdqu	112(%rdi), %xmm7
	movq	MS_GPR(0)(%rdi), %r15
	movq	MS_GPR(1)(%rdi), %r14
	movq	MS_GPR(2)(%rdi), %r13
	movq	MS_GPR(3)(%rdi), %r12
	movq	MS_GPR(5)(%rdi), %rbx
	movq	MS_GPR(8)(%rdi), %r9
	movq	MS_GPR(9)(%rdi), %r8
.endm

/* __morestack: a split-stack prologue found that the frame it needs would
 * pass below the thread's guard word (Go: runtime.morestack, reached when SP
 * is below g.stackguard0). The prologue is
 *	cmp %fs:0x70, %rsp (or lea -framesize(%rsp), %r11; cmp ..., %r11)
 *	jb 1f; <body> ... 1: mov $framesize, %r10; mov $argsize, %r11
 *	call __morestack; ret; jmp <body>
 * so the return address points at a one-byte RET, and the body continues at
 * return address + 1. Three reasons bring us here:
 *   - preemption: sysmon wrote stackPreempt into the guard word (or into
 *     g.stackguard0) to make the goroutine enter the scheduler, as Go does;
 *   - a stale request: the word was poked after this M switched goroutines;
 *   - a real overflow.
 * Except on the fast path below, every register the function may still
 * need (arguments in rdi..r9, rax for varargs, xmm0-7, and the callee-saved
 * ones) is saved on the goroutine's stack, the context is recorded in g.sched with .Lms_resume as its pc, and
 * newstack decides on g0. To resume, gogo(&g.sched) lands on .Lms_resume,
 * which has morestackcall restore the registers and call the body as if
 * the check had passed (a real overflow resumes in lessstack on a new
 * segment instead). On g0 or gsignal only a stale request is possible
 * (they are never preempted); it is cleared and the function resumes at once. So is a trip
 * on a stack that belongs to no g (see .Lms_foreign). */
	.globl __morestack
	.type __morestack, @function
	.p2align 4
__morestack:
	.cfi_startproc
	/* The save area, filled in two steps: first the registers the fast
	 * path uses (rax, rcx, rdx, rsi, rdi) and what lessstack reads from it
	 * (rbp, r10, r11), then, only if the fast path is not taken, the rest
	 * (MS_SAVE_REST). Its layout is what fifteen pushes in the order rax,
	 * rdi, rsi, rdx, rcx, r8, r9, r10, r11, rbx, rbp, r12-r15 and then
	 * xmm0-7 would give (go_asm.h). */
	subq	$(morestack_rax + 8), %rsp
	movq	%rax, morestack_rax(%rsp)
	movq	%rdi, MS_GPR(13)(%rsp)
	movq	%rsi, MS_GPR(12)(%rsp)
	movq	%rdx, MS_GPR(11)(%rsp)
	movq	%rcx, MS_GPR(10)(%rsp)
	movq	%r10, morestack_r10(%rsp)
	movq	%r11, morestack_r11(%rsp)
	movq	%rbp, morestack_rbp(%rsp)
#ifndef GORT_FIBERS
	/* The hot split's fast path (port only; newstackSegment is the slow
	 * one): a goroutine on its own stack, no preemption asked, the frame
	 * really does not fit, and a spare segment above the current one has
	 * room for it ([seg-spare]). Then make the spare current here, without
	 * g0, and go to lessstack's fast entry on it, which restores only the
	 * registers saved above: the others still hold the function's values.
	 * No check for g0 or gsignal: their stacks never grow, so they have no
	 * spare. Sanitizer builds (GORT_FIBERS) always take the slow path,
	 * whose gogo tells them of the switch. */
	GET_G(%rax)
	testq	%rax, %rax
	jz	.Lms_full
	cmpq	g_stack_lo(%rax), %rsp		/* on g's own stack? */
	jb	.Lms_full
	cmpq	g_stack_hi(%rax), %rsp
	jae	.Lms_full
	movq	$stack_preempt, %rcx
	cmpq	%rcx, %fs:tcb_stackguard
	je	.Lms_full
	cmpq	%rcx, g_stackguard0(%rax)
	je	.Lms_full
	leaq	morestack_fnsp(%rsp), %rcx	/* the frame's bottom: fnsp - framesize */
	subq	%r10, %rcx
	jb	.Lms_full			/* (wrapped: let newstack report it) */
	movq	g_stack_lo(%rax), %rdx
	addq	$stack_guard, %rdx
	cmpq	%rdx, %rcx
	jae	.Lms_full			/* it fits: a stale request */
	movq	g_stackseg(%rax), %rsi		/* the spare above the current segment */
	leaq	g_stackup(%rax), %rcx
	testq	%rsi, %rsi
	jz	1f
	leaq	stktop_up(%rsi), %rcx
1:	movq	(%rcx), %rdx
	testq	%rdx, %rdx
	jz	.Lms_full			/* none: newstack allocates one */
	movq	stktop_self_hi(%rdx), %rcx	/* room: size - record >= need, */
	subq	stktop_self_lo(%rdx), %rcx	/* need = framesize + argsize + */
	subq	$(stktop_size + stack_guard + stktop_size + 256), %rcx  /* the guard + the record + 256, */
	jb	.Lms_full			/* as newstackSegment computes it */
	subq	%r10, %rcx
	jb	.Lms_full
	cmpq	%r11, %rcx
	jb	.Lms_full
	/* Link it: t.prev = g.stack, t.prevsp = the save area, t.down = g.stackseg. */
	movq	g_stack_lo(%rax), %rcx
	movq	%rcx, stktop_prev_lo(%rdx)
	movq	g_stack_hi(%rax), %rcx
	movq	%rcx, stktop_prev_hi(%rdx)
	movq	%rsp, stktop_prevsp(%rdx)
	movq	%rsi, stktop_down(%rdx)
	movq	stktop_self_lo(%rdx), %rcx	/* g.stack = t.self; g.stackseg = t */
	movq	%rcx, g_stack_lo(%rax)
	movq	stktop_self_hi(%rdx), %rcx
	movq	%rcx, g_stack_hi(%rax)
	movq	%rdx, g_stackseg(%rax)
	movq	stktop_self_lo(%rdx), %rsi	/* the guard, unless a preemption */
	addq	$stack_guard, %rsi		/* request came meanwhile (or a */
	movq	$stack_preempt, %rcx		/* lost one: see LEAVE_SEGMENT) */
	cmpq	%rcx, g_stackguard0(%rax)
	cmove	%rcx, %rsi
	movq	%rsi, g_stackguard0(%rax)
	movq	%rsi, %fs:tcb_stackguard
	movq	%rsp, %rdi			/* lessstack's fast entry(save area), */
	movq	%rdx, %rsp			/* on t */
	jmp	.Lls_fast
.Lms_full:
#endif
	MS_SAVE_REST
.Lms_again:				/* newstack resumes here to decide again */
	movq	%fs:tcb_stackguard, %rdi	/* the guard that tripped: newstack's argument */
	GET_G(%rax)
	testq	%rax, %rax
	jz	.Lms_nog
	movq	g_m(%rax), %rcx
	movq	m_g0(%rcx), %rdx
	cmpq	%rdx, %rax
	je	.Lms_sys
	cmpq	m_gsignal(%rcx), %rax
	je	.Lms_sys
	cmpq	g_stack_lo(%rax), %rsp		/* on a stack that is not g's (a signal */
	jb	.Lms_foreign			/* handler's alternate stack, say)? */
	cmpq	g_stack_hi(%rax), %rsp
	jae	.Lms_foreign
	movq	%rsp, (g_sched+gobuf_sp)(%rax)	/* a user g: record where it stopped */
	leaq	.Lms_resume(%rip), %rcx
	movq	%rcx, (g_sched+gobuf_pc)(%rax)
	movq	%rbp, (g_sched+gobuf_bp)(%rax)
	movq	%rax, (g_sched+gobuf_g)(%rax)
	movq	morestack_ret(%rsp), %rcx		/* f's return address, for tracebacks */
	movq	%rcx, (g_sched+gobuf_lr)(%rax)
#ifdef GORT_FIBERS
	movq	%rdi, %r12			/* the callee-saved registers are */
	movq	%rdx, %r13			/* on the stack, restored on resume */
	movq	%rdx, %rdi			/* fiberLeave(g0, sp, 1) */
	movq	%rsp, %rsi
	movl	$1, %edx
	ALIGNED_CALL("runtime.fiberLeave")
	movq	%r13, %rdx
#endif
	SET_G(%rdx)				/* switch to g0 */
	SET_GUARD(%rdx, %rcx)
	movq	(g_sched+gobuf_sp)(%rdx), %rsp
	andq	$-16, %rsp
	.cfi_remember_state
	.cfi_undefined rip
#ifdef GORT_FIBERS
	movq	%rdx, %rdi			/* fiberArrive(g0) */
	callq	"runtime.fiberArrive"
	movq	%r12, %rdi
#endif
	callq	"runtime.newstack"		/* newstack(tlsguard): never returns */
	ud2
	.cfi_restore_state
.Lms_sys:					/* g0 or gsignal */
	cmpq	g_stack_lo(%rax), %rsp
	jb	.Lms_foreign
	cmpq	g_stack_hi(%rax), %rsp
	jae	.Lms_foreign
	movq	g_stackguard0(%rax), %rcx
	cmpq	%rcx, %rdi
	jne	.Lms_stale			/* the word was poked: not ours */
	movq	morestack_ret(%rsp), %rdi
	andq	$-16, %rsp
	callq	"runtime.badmorestackg0"
	ud2
.Lms_stale:
	movq	%rcx, %fs:tcb_stackguard	/* reinstate this g's own guard */
	jmp	.Lms_resume
.Lms_foreign:
	/* Code on a stack the runtime did not allocate (a signal handler
	 * installed by someone else, on its own alternate stack) has no bound
	 * the runtime knows: clear the word and go on. The next switch of g
	 * sets it again. */
	movq	$0, %fs:tcb_stackguard
	jmp	.Lms_resume
.Lms_nog:
	testq	%rdi, %rdi
	jz	.Lms_nog_bad
	movq	$0, %fs:tcb_stackguard		/* a thread without g has no bound */
	jmp	.Lms_resume
.Lms_nog_bad:
	andq	$-16, %rsp
	callq	"runtime.badmorestacknog"
	ud2
.Lms_resume:				/* gogo(&g.sched) lands here after newstack */
	movq	%rsp, %rdi			/* morestackcall(save area): the body */
	movq	$0, -8(%rsp)			/* runs below it; the word the alignment */
	andq	$-16, %rsp			/* may skip holds nothing stale (MS_CLEAR) */
	jmp	"runtime.morestackcall"
	.cfi_endproc
	.size __morestack, .-__morestack

/* LEAVE_SEGMENT: make the segment below the current one g's stack again
 * ([seg-chain], stack.hpp): g.stackseg = its down, g.stack_ = its prev, and
 * the guard that segment's (g.stackguard0 unless it holds a preemption
 * request; then the TLS word). A request written between the test and the
 * store is lost, as Go's copystack may lose one: the requester asks again
 * (sysmon, suspendG). The segment itself stays linked as a spare
 * ([seg-spare]). Keeps rax, rdx and xmm0-1 (a function's results);
 * clobbers rcx, rsi, rdi, r8, r9. */
#define LEAVE_SEGMENT \
	GET_G(%rcx); \
	movq	g_stackseg(%rcx), %rsi; \
	movq	stktop_down(%rsi), %rdi; \
	movq	%rdi, g_stackseg(%rcx); \
	movq	stktop_prev_lo(%rsi), %r8; \
	movq	%r8, g_stack_lo(%rcx); \
	movq	stktop_prev_hi(%rsi), %rdi; \
	movq	%rdi, g_stack_hi(%rcx); \
	addq	$stack_guard, %r8; \
	movq	$stack_preempt, %r9; \
	cmpq	%r9, g_stackguard0(%rcx); \
	cmove	%r9, %r8; \
	movq	%r8, g_stackguard0(%rcx); \
	movq	%r8, %fs:tcb_stackguard

#ifdef GORT_FIBERS
/* Tell the sanitizers g's stack is the old segment again (fiberLeave and
 * fiberArrive with to = g: a switch within one goroutine). Keeps rax, rdx,
 * xmm0-1 in a 48-byte block on the stack; rsp must be 16-aligned. */
#define LEAVE_SEGMENT_FIBERS \
	subq	$48, %rsp; \
	movq	%rax, 0(%rsp); \
	movq	%rdx, 8(%rsp); \
	movdqu	%xmm0, 16(%rsp); \
	movdqu	%xmm1, 32(%rsp); \
	GET_G(%rdi); \
	movq	%rsp, %rsi; \
	movl	$1, %edx; \
	callq	"runtime.fiberLeave"; \
	GET_G(%rdi); \
	callq	"runtime.fiberArrive"; \
	movq	0(%rsp), %rax; \
	movq	8(%rsp), %rdx; \
	movdqu	16(%rsp), %xmm0; \
	movdqu	32(%rsp), %xmm1; \
	addq	$48, %rsp
#else
#define LEAVE_SEGMENT_FIBERS
#endif

/* MS_CLEAR: zero the save area at r10 except what RETURN_FROM_R reads (the
 * r10 slot, R and R+8), once every register is back. morestackcall needs
 * it: its body runs below the area, which is then in the scanned part of
 * the stack, and the conservative scan cannot tell a saved argument from a
 * caller-saved register that still held the last callee's pointer (one
 * kept a test's object for a cycle; Departure: conservative stacks,
 * chapter 14). lessstack does not: scanstack starts an older segment at R,
 * above the area, so the hot split pays no stores. Clobbers xmm15, which
 * no call passes anything in. */
#if morestack_r10 != morestack_xmm_size + 56 || morestack_rax != morestack_xmm_size + 112
#error "MS_CLEAR's ranges assume go_asm.h's layout"
#endif
.macro MS_CLEAR
	pxor	%xmm15, %xmm15
	.irp	off, 0, 16, 32, 48, 64, 80, 96, 112	/* xmm0-7 */
	movdqu	%xmm15, \off(%r10)
	.endr
	movdqu	%xmm15, MS_GPR(0)(%r10)		/* r15, r14 */
	movdqu	%xmm15, MS_GPR(2)(%r10)		/* r13, r12 */
	movdqu	%xmm15, MS_GPR(4)(%r10)		/* rbp, rbx */
	movq	$0, MS_GPR(6)(%r10)		/* r11 (not r10: the prologue's RET) */
	movdqu	%xmm15, MS_GPR(8)(%r10)		/* r9, r8 */
	movdqu	%xmm15, MS_GPR(10)(%r10)		/* rcx, rdx */
	movdqu	%xmm15, MS_GPR(12)(%r10)		/* rsi, rdi */
.endm

/* CALL_BODY_PREP: with rdi = a __morestack save area and rsp 16-aligned,
 * copy the function's stack arguments below rsp, write the frame record R
 * into the save area (see lessstack), restore the registers __morestack's
 * entry saved, and leave the body's address in r11, ready for
 * `callq *%r11`. The other registers (MS_RESTORE_REST) are the caller's
 * business: lessstack's fast entry finds them untouched. Shared by
 * lessstack (on a new segment) and morestackcall (on the same stack). The
 * prologue's RET address is kept in the save area's r10 slot, for
 * RETURN_FROM_R. */
.macro CALL_BODY_PREP
	movq	%rdi, %r10			/* r10: the save area */
	movq	morestack_r11(%r10), %rcx		/* the stack arguments' size (r11) */
	leaq	15(%rcx), %rax
	andq	$-16, %rax
	subq	%rax, %rsp			/* 16-aligned, as at the caller's call */
	testq	%rcx, %rcx			/* (most functions have none, and */
	jz	1f				/* rep movsb is slow to start) */
	leaq	(morestack_fnsp + 8)(%r10), %rsi
	movq	%rsp, %rdi
	rep movsb
1:
	movq	morestack_ret(%r10), %r11	/* the prologue's RET; the body is */
	movq	%r11, morestack_r10(%r10)		/* the next byte */
	addq	$1, %r11
	movq	morestack_fnsp(%r10), %rax
	movq	%rax, morestack_ret(%r10)	/* R+8: the caller's return address */
	movq	morestack_rax(%r10), %rax
	movq	morestack_rbp(%r10), %rbp
	movq	%rbp, morestack_rax(%r10)		/* R: the caller's rbp */
	leaq	morestack_rax(%r10), %rbp		/* rbp = R */
	movq	MS_GPR(10)(%r10), %rcx
	movq	MS_GPR(11)(%r10), %rdx
	movq	MS_GPR(12)(%r10), %rsi
	movq	MS_GPR(13)(%r10), %rdi
	.cfi_def_cfa rbp, 24		/* the caller's frame, found from R */
	.cfi_offset rbp, -24
	.cfi_offset rip, -8
.endm

/* RETURN_FROM_R: after the body returned (rbp = R again, as the body
 * restored it), return to the function's caller: put the prologue's RET
 * address back at R+8, rsp = R, pop the caller's rbp, and return to that
 * RET, which returns to the caller (R+16). Two returns where one would do,
 * so that each matches its call and the return-address predictor stays in
 * step: a RET straight to the caller would be mispredicted, and so would
 * every return above it. Keeps rax, rdx and xmm0-1; clobbers rcx. */
.macro RETURN_FROM_R
	movq	(morestack_r10 - morestack_rax)(%rbp), %rcx
	movq	%rcx, 8(%rbp)
	movq	%rbp, %rsp
	.cfi_def_cfa rsp, 24
	popq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_same_value rbp
	ret
.endm

/* lessstack: the frame at the top of a new stack segment, where a function
 * whose prologue found no room runs its body (Go 1.2's runtime·lessstack
 * left a segment the same way; go1.22.12 copies stacks instead). newstack's
 * gogo lands here on the new segment, rsp 16-aligned, with rdi = the
 * __morestack save area on the old one. lessstack copies the function's
 * stack arguments, restores its registers, and calls the body. When the
 * body returns, it leaves the segment (LEAVE_SEGMENT) and returns to the
 * function's caller on the old stack, with the body's results.
 *
 * The frame record R is the save area's rax slot, on the old stack:
 *	R+24	the stack arguments, where the caller put them
 *	R+16	the caller's return address
 *	R+8	(f's return address into its prologue) overwritten with the same
 *	R	(rax) overwritten with the caller's rbp
 * The body runs with rbp = R. So its frame links to R and R to the caller's
 * frame: frame-pointer walks cross from segment to segment and show the
 * caller, and a varargs body finds its stack arguments at rbp+24, where
 * GCC's split-stack prologue looks for them after __morestack. The CFI
 * tells the unwinder the same (panics, C++ exceptions, gdb). An exception
 * that leaves the body goes through .Lls_pad, which leaves the segment and
 * unwinds on. */
	.globl "runtime.lessstack"
	.type "runtime.lessstack", @function
	.p2align 4
"runtime.lessstack":
	.cfi_startproc
	.cfi_personality 0x9b, DW.ref.__gcc_personality_v0
	.cfi_lsda 0x1b, .Lls_lsda
	.cfi_undefined rip
	MS_RESTORE_REST
.Lls_fast:				/* __morestack's fast path enters here */
	CALL_BODY_PREP
.Lls_call:
	callq	*%r11
.Lls_called:
	LEAVE_SEGMENT
	LEAVE_SEGMENT_FIBERS
	RETURN_FROM_R			/* back on the old stack */
	.cfi_def_cfa rbp, 24
	.cfi_offset rbp, -24
.Lls_pad:					/* an exception leaves the body */
	LEAVE_SEGMENT				/* (keeps rax, the exception) */
	leaq	-morestack_rax(%rbp), %rsp	/* onto the old segment, below the */
	andq	$-16, %rsp			/* save area (dead now): the unwinder */
	subq	$16, %rsp			/* runs in the room below the guard */
	movq	%rax, 0(%rsp)
	LEAVE_SEGMENT_FIBERS
#ifdef GORT_FIBERS
	callq	"runtime.fiberUnwound"
#endif
	movq	0(%rsp), %rdi
	callq	_Unwind_Resume@PLT
	ud2
	.cfi_endproc
	.size "runtime.lessstack", .-"runtime.lessstack"

/* morestackcall: resume a function whose prologue called __morestack but
 * whose frame fits (a preemption honoured, a stale request) by calling its
 * body on the same stack, below the save area, the way lessstack calls it
 * on a new segment. A jump to the body would do for most functions, but
 * GCC's prologue in a varargs function takes the address of its stack
 * arguments from rbp+24 after __morestack, so rbp must be the frame record
 * R there, and then only a call can restore the caller's rbp afterwards.
 * The body's frame sits some 300 bytes (the save area and the copied
 * arguments) lower than its check allowed for: out of the 16 KiB the guard
 * keeps for code without checks. Port only (Go's morestack restarts the
 * function). */
	.globl "runtime.morestackcall"
	.type "runtime.morestackcall", @function
	.p2align 4
"runtime.morestackcall":
	.cfi_startproc
	.cfi_undefined rip
	MS_RESTORE_REST
	CALL_BODY_PREP
	MS_CLEAR
	callq	*%r11
	RETURN_FROM_R
	.cfi_endproc
	.size "runtime.morestackcall", .-"runtime.morestackcall"

/* Two addresses inside functions, for C++ (data, so that no symbol splits
 * the functions' code): where newstack resumes a goroutine it preempted
 * before its stack grew (__morestack runs its checks again), and the return
 * address of lessstack's call (tracebacks: the frame above it is on the
 * older segment). */
	.section .data.rel.ro,"aw"
	.p2align 3
	.globl	"runtime.morestackAgain"
	.hidden	"runtime.morestackAgain"
"runtime.morestackAgain":
	.quad	.Lms_again
	.globl	"runtime.lessstackret"
	.hidden	"runtime.lessstackret"
"runtime.lessstackret":
	.quad	.Lls_called
	.text

/* The call-site table of lessstack's one call: a cleanup (.Lls_pad) for
 * exceptions that leave the body, run by the C personality routine. */
	.section .gcc_except_table,"a",@progbits
.Lls_lsda:
	.byte	0xff				/* @LPStart: the function's start */
	.byte	0xff				/* no type table */
	.byte	0x01				/* call sites: uleb128 */
	.uleb128 .Lls_cs_end - .Lls_cs
.Lls_cs:
	.uleb128 .Lls_call - "runtime.lessstack"
	.uleb128 .Lls_called - .Lls_call
	.uleb128 .Lls_pad - "runtime.lessstack"
	.uleb128 0				/* action: cleanup only */
.Lls_cs_end:
	.hidden	DW.ref.__gcc_personality_v0
	.weak	DW.ref.__gcc_personality_v0
	.section .data.rel.local.DW.ref.__gcc_personality_v0,"awG",@progbits,DW.ref.__gcc_personality_v0,comdat
	.p2align 3
	.type	DW.ref.__gcc_personality_v0, @object
	.size	DW.ref.__gcc_personality_v0, 8
DW.ref.__gcc_personality_v0:
	.quad	__gcc_personality_v0
	.text

/* void procyield(uint32 cycles): spin with PAUSE. */
	.globl "runtime.procyield"
	.type "runtime.procyield", @function
	.p2align 4
"runtime.procyield":
	.cfi_startproc
	movl	%edi, %eax
	testl	%eax, %eax
	jz	2f
1:	pause
	subl	$1, %eax
	jnz	1b
2:	ret
	.cfi_endproc
	.size "runtime.procyield", .-"runtime.procyield"

/* int64 cputicks(void): the time-stamp counter. */
	.globl "runtime.cputicks"
	.type "runtime.cputicks", @function
	.p2align 4
"runtime.cputicks":
	.cfi_startproc
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	ret
	.cfi_endproc
	.size "runtime.cputicks", .-"runtime.cputicks"

/* The system-call bracket (Go: the assembly of package syscall, which
 * calls runtime.entersyscall before SYSCALL and runtime.exitsyscall after).
 * SYSCALL_CALL(name, enter) defines
 *	uintptr name(uintptr (*fn)(void*), void* arg)
 * that runs fn(arg) with the goroutine in _Gsyscall and its P given up:
 * enter(pc, sp, bp) before, exitsyscall() after, fn's result returned. The
 * callee-saved registers are pushed first and stay pushed until
 * exitsyscall: sp, recorded as g.syscallsp, is below them, so a collector
 * scanning the stack from syscallsp while fn blocks sees every pointer the
 * callers keep in registers (fn itself saves them below sp, or leaves them
 * alone, as the ABI says). pc and bp are the caller's, for tracebacks. */
#define SYSCALL_CALL(name, enter)					\
	.globl name;							\
	.type name, @function;						\
	.p2align 4;							\
name:									\
	.cfi_startproc;							\
	pushq	%rbp;							\
	.cfi_def_cfa_offset 16;						\
	.cfi_offset %rbp, -16;						\
	movq	%rsp, %rbp;						\
	.cfi_def_cfa_register %rbp;					\
	pushq	%rbx;							\
	pushq	%r12;							\
	pushq	%r13;							\
	pushq	%r14;							\
	pushq	%r15;							\
	subq	$8, %rsp;		/* 16-aligned for the calls */	\
	movq	%rdi, %r12;		/* fn */			\
	movq	%rsi, %r13;		/* arg */			\
	movq	8(%rbp), %rdi;		/* pc: the return address */	\
	movq	%rsp, %rsi;		/* sp: below the pushed registers */ \
	movq	0(%rbp), %rdx;		/* bp: the caller's frame */	\
	callq	enter;							\
	movq	%r13, %rdi;						\
	callq	*%r12;			/* fn(arg) */			\
	movq	%rax, %rbx;						\
	callq	"runtime.exitsyscall";	/* may resume on another M */	\
	movq	%rbx, %rax;						\
	addq	$8, %rsp;						\
	popq	%r15;							\
	popq	%r14;							\
	popq	%r13;							\
	popq	%r12;							\
	popq	%rbx;							\
	popq	%rbp;							\
	.cfi_def_cfa %rsp, 8;						\
	ret;								\
	.cfi_endproc;							\
	.size name, .-name

/* uintptr syscall_call(fn, arg): a call that may block, as Go's
 * syscall.Syscall: the P stays with this M for a while (sysmon's retake
 * hands it off if the call lasts), so a short call costs little. */
SYSCALL_CALL("runtime.syscall_call", "runtime.reentersyscall")
/* uintptr syscallblock_call(fn, arg): a call known to block, as Go's
 * entersyscallblock callers: the P is handed off at once. */
SYSCALL_CALL("runtime.syscallblock_call", "runtime.entersyscallblock")

	.section .note.GNU-stack,"",@progbits
	.section .note.GNU-split-stack,"",@progbits
