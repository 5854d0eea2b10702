// A direct call of a go:systemstack function from code that runs on a user
// goroutine's stack. Go catches this at run time (the function's prologue
// ends in stack.go's morestackc); the checker catches it when it can tell:
// user() is neither SYSTEMSTACK nor a systemstack/mcall callback, and it has
// no callers that would put it on g0.
//
// gocheck-fixture: fail
// want: systemstack_user.cpp:25:3: attempt to execute system stack code on user stack: user calls stackfree (go:systemstack) outside systemstack
// count: systemstack.systemstack_functions = 1
// count: systemstack.calls_checked = 1
#include "fixture_stubs.hpp"

namespace runtime {

SYSTEMSTACK void stackfree(void* stk);
void user(void* stk);

void stackfree(void* stk) {
  systemstackcheck();
  extern void release(void*);
  release(stk);
}

void user(void* stk) {
  stackfree(stk);
}

}  // namespace runtime
