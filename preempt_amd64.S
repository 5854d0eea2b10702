/* preempt_amd64.S: asyncPreempt, mirroring preempt_amd64.s at go1.22.12
 * (which mkpreempt.go generates there). One routine: save every register of
 * the interrupted code, call asyncPreempt2, restore them, return to where
 * the signal struck.
 *
 * How it is entered. sighandler (signal_unix.cpp, doSigPreempt) found the
 * interrupted goroutine at an asynchronous safe point and made the signal
 * return into this routine as if the goroutine had called it there
 * (sigctxt.pushCall):
 *
 *	the goroutine's rsp at the signal       -> +--------------------+
 *	                                           | red zone, 128 bytes|
 *	rsp on entry                            -> | resume PC          |
 *
 * Departure: Go's code keeps nothing below its stack pointer, so Go's
 * pushCall puts the resume PC right under it. The System V ABI lets a leaf
 * function keep up to 128 bytes there (the red zone), so the port leaves
 * those bytes alone and returns with `ret $128`, which pops the resume PC
 * and then the gap, leaving rsp exactly as the signal found it.
 *
 * What is saved. The flags, the fifteen general registers other than rsp,
 * and the extended state through XSAVE with every component the OS enabled
 * (x87, SSE, AVX and AVX-512 where present, MXCSR among them), into an area
 * of runtime.asyncPreemptXsaveSize bytes aligned to 64 on this stack.
 * Departure: Go saves X0-X15 with MOVUPS, all its compiled code uses; C++
 * code may be built with -mavx or -march=native, so the port saves what
 * the processor has. Everything lands on the goroutine's own stack, below
 * its stack pointer, where the collector's conservative scan of a parked
 * goroutine reads it (registers holding the only reference to an object are
 * seen as Go's asyncPreempt frame is scanned conservatively).
 *
 * Not a function C++ calls: no prologue, no split-stack check (Go:
 * NOSPLIT|NOFRAME), and it lives in the runtime's text, where no signal
 * preempts (isAsyncSafePoint). */

	.text

/* asyncPreempt: save all registers, call asyncPreempt2, restore, resume. */
	.globl "runtime.asyncPreempt"
	.type "runtime.asyncPreempt", @function
	.p2align 4
"runtime.asyncPreempt":
	.cfi_startproc
	.cfi_def_cfa %rsp, 136		/* the interrupted rsp is 136 bytes up */
	.cfi_offset %rip, -136		/* and the resume PC right here */
	pushq	%rbp			/* a frame: tracebacks see the resume PC */
	.cfi_adjust_cfa_offset 8	/* as the caller of asyncPreempt */
	.cfi_offset %rbp, -144
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushfq				/* before anything changes the flags */
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld				/* the ABI wants DF clear at a call */
	movq	%rsp, %rbx		/* rbx: the GPR block (callee-saved) */
	subq	"runtime.asyncPreemptXsaveSize"(%rip), %rsp
	andq	$-64, %rsp		/* XSAVE's alignment; 16 for the call */
	xorl	%eax, %eax		/* XRSTOR faults on a non-zero XCOMP_BV */
	movq	%rax, 512(%rsp)		/* or reserved header bytes, and XSAVE */
	movq	%rax, 520(%rsp)		/* leaves those alone: zero the header */
	movq	%rax, 528(%rsp)
	movq	%rax, 536(%rsp)
	movq	%rax, 544(%rsp)
	movq	%rax, 552(%rsp)
	movq	%rax, 560(%rsp)
	movq	%rax, 568(%rsp)
	movl	$-1, %eax		/* every component the OS enabled */
	movl	$-1, %edx
	xsave64	(%rsp)
	callq	"runtime.asyncPreempt2"	/* may return on another thread */
	movl	$-1, %eax
	movl	$-1, %edx
	xrstor64 (%rsp)
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	popfq
	popq	%rbp
	.cfi_def_cfa %rsp, 136
	ret	$128			/* the resume PC, then the red zone */
	.cfi_endproc
	.size "runtime.asyncPreempt", .-"runtime.asyncPreempt"

	.section .note.GNU-stack,"",@progbits
	.section .note.GNU-split-stack,"",@progbits
