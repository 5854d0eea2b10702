// pragmas.hpp: Go's //go: compiler directives, spelled as C++ attributes.
//
// Go marks runtime functions with directives that the toolchain checks
// (cmd/compile/internal/noder/lex.go lists them; cmd/link checks nosplit
// chains in cmd/link/internal/ld/stackcheck.go). Each macro below expands to
// a real attribute so that the constraint is visible to the compiler and to
// tools/, never a comment. Under clang every macro also carries an
// annotate("go:...") so libclang-based checkers can read it back.
//
// Invariant [pragma-decl]: GCC accepts no_split_stack only on the first
// declaration, so a NOSPLIT function that is declared in a header carries the
// macro on that declaration (the definition may repeat it).
#pragma once

#if defined(__clang__)
#define GORT_ANNOTATE(s) __attribute__((annotate(s)))
#else
#define GORT_ANNOTATE(s)
#endif

/// //go:nosplit: the function has no stack-bound check in its prologue. With
/// -fsplit-stack that is exactly GCC's no_split_stack: no comparison against
/// the guard in the TCB, no call to __morestack.
#define NOSPLIT __attribute__((no_split_stack)) GORT_ANNOTATE("go:nosplit")
/// //go:nosplit on a small header function defined where it is declared.
/// GCC refuses no_split_stack on such a definition ([pragma-decl]); these
/// helpers are always inlined instead, so they have no frame and no prologue
/// of their own, which is what nosplit asks for.
#define NOSPLIT_INLINE inline __attribute__((always_inline)) GORT_ANNOTATE("go:nosplit")
/// //go:nowritebarrier: no write barrier may be emitted in this function.
#define NOWRITEBARRIER GORT_ANNOTATE("go:nowritebarrier")
/// //go:nowritebarrierrec: no write barrier in this function or in any function
/// it calls, transitively, up to a YESWRITEBARRIERREC one.
#define NOWRITEBARRIERREC GORT_ANNOTATE("go:nowritebarrierrec")
/// //go:yeswritebarrierrec: stops the nowritebarrierrec analysis.
#define YESWRITEBARRIERREC GORT_ANNOTATE("go:yeswritebarrierrec")
/// //go:systemstack: must run on the system stack (g0); checked at entry.
#define SYSTEMSTACK GORT_ANNOTATE("go:systemstack")
/// //go:noinline
#define NOINLINE __attribute__((noinline)) GORT_ANNOTATE("go:noinline")
/// //go:noescape: the pointer arguments do not escape.
#define NOESCAPE GORT_ANNOTATE("go:noescape")
/// //go:linkname local "pkg.name": the definition is emitted under the symbol
/// Go's linker would give it.
#define LINKNAME(sym) __asm__(sym) GORT_ANNOTATE("go:linkname " sym)

/// GOSYMBOL(sym): the symbol a Go compiler gives a package-level function of
/// package pkg, "pkg.name". Not a directive: Go needs no pragma for this. A
/// C++ compiler would mangle the name, so a bodiless declaration that another
/// package's LINKNAME definition must satisfy (sync's runtime_Semacquire,
/// met by the runtime's sync_runtime_Semacquire) spells its symbol with it.
#define GOSYMBOL(sym) __asm__(sym)

namespace runtime::sys {
/// sys.NotInHeap (go1.22 runtime/internal/sys/nih.go): a type that embeds this
/// marker must never be allocated from the garbage-collected heap.
struct NotInHeap {
  static constexpr bool notInHeap = true;
};
}  // namespace runtime::sys
