// go:nowritebarrierrec (nowb.go): no write barrier in the function or in
// anything it reaches through the static call graph. The barrier in c sits
// two calls below the marked function a; the one in d is reached through a
// closure passed to systemstack, which nowb.go counts as a call (its
// extraCalls). Each report names the function with the barrier and the chain
// of callers back to the marked root, as Go's does.
//
// gocheck-fixture: fail
// want: nowritebarrierrec.cpp:27:26: write barrier prohibited by caller; c
// want| \tnowritebarrierrec.cpp:29:26: called by b
// want| \tnowritebarrierrec.cpp:31:12: called by a
// want: nowritebarrierrec.cpp:33:26: write barrier prohibited by caller; d
// want| \tnowritebarrierrec.cpp:36:20: called by root2.func1
// want| \tnowritebarrierrec.cpp:36:3: called by root2
// count: nowritebarrierrec.roots = 2
// count: nowritebarrierrec.functions_reached >= 6
#include "mwbbuf.hpp"
#include "stubs.hpp"

namespace runtime {

g* slot;

NOWRITEBARRIERREC void a();
NOWRITEBARRIERREC void root2();

NOINLINE void c(g* gp) { writebarrierptr(&slot, gp); }

NOINLINE void b(g* gp) { c(gp); }

void a() { b(nullptr); }

NOINLINE void d(g* gp) { writebarrierptr(&slot, gp); }

void root2() {
  systemstack([] { d(nullptr); });
}

}  // namespace runtime
