// go:yeswritebarrierrec stops the go:nowritebarrierrec walk (nowb.go's
// enqueue): mayWrite is reached from the marked root but is allowed barriers,
// and so is everything below it. The walk still covers the root and its other
// callee, so the check is not vacuous.
//
// gocheck-fixture: pass
// count: nowritebarrierrec.roots = 1
// count: nowritebarrierrec.functions_reached = 2
// count: nowritebarrier.functions_with_barriers >= 2
#include "mwbbuf.hpp"

namespace runtime {

g* slot;

NOWRITEBARRIERREC void root();
YESWRITEBARRIERREC void mayWrite(g* gp);

NOINLINE void below(g* gp) { writebarrierptr(&slot, gp); }

void mayWrite(g* gp) {
  writebarrierptr(&slot, gp);
  below(gp);
}

NOINLINE int plain() { return 1; }

void root() {
  if (plain()) mayWrite(nullptr);
}

}  // namespace runtime
