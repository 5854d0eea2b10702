// Go's nosplit rule, not a stricter one: a NOSPLIT frame may call a
// splittable function however large that function's frame is, because the
// callee checks the stack on entry (stackcheck.go charges it only the call to
// morestack). An indirect call is charged the same way: Go assumes the target
// is splittable. So the deepest chain here is this frame, one return address
// and one call to __morestack, well under 792 bytes although big() alone
// needs 10000.
//
// gocheck-fixture: pass
// count: nosplit.nosplit_functions = 1
// count: nosplit.functions = 2
// count: nosplit.deepest_nosplit_chain = 744
#include "pragmas.hpp"

extern "C" void sink(volatile char*);

namespace main {

NOINLINE void big();
NOSPLIT NOINLINE void nosplitCaller(void (*fn)());

void big() {  // splittable: checks the stack itself
  volatile char b[10000];
  sink(b);
}

void nosplitCaller(void (*fn)()) {
  volatile char b[700];
  sink(b);
  big();
  fn();  // indirect
}

}  // namespace main
