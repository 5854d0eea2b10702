// Calls of a go:systemstack function from places that run on g0:
//   - a closure passed to systemstack (as Go's malg calls stackalloc);
//   - another SYSTEMSTACK function;
//   - a function passed by name to mcall (mcall runs it on g0);
//   - a helper whose only caller is such a closure (the checker infers g0).
// Each SYSTEMSTACK function opens with its entry check.
//
// gocheck-fixture: pass
// count: systemstack.systemstack_functions = 2
// count: systemstack.calls_checked = 4
// count: systemstack.calls_unknown_context = 0
#include "fixture_stubs.hpp"

namespace runtime {

SYSTEMSTACK void stackalloc(unsigned n);
SYSTEMSTACK void stackcacherefill();
void park_m(g* gp);
void onlyFromG0(unsigned n);

void stackalloc(unsigned n) {
  systemstackcheck();
  extern void take(unsigned);
  take(n);
}

void stackcacherefill() {
  systemstackcheck();
  stackalloc(32);
}

void park_m(g*) { stackalloc(8); }

NOINLINE void onlyFromG0(unsigned n) { stackalloc(n); }

void malg(unsigned n) {
  systemstack([&] { stackalloc(n); });
  systemstack([&] { onlyFromG0(n); });
  mcall(park_m);
}

}  // namespace runtime
