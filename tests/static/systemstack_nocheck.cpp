// Every go:systemstack function opens with runtime::systemstackcheck(), the
// port's spelling of the check Go's compiler puts in such a function's
// prologue (its failure is stack.go's morestackc: "attempt to execute system
// stack code on user stack"). This one forgot it.
//
// gocheck-fixture: fail
// want: systemstack_nocheck.cpp:17:6: stackcache_clear is go:systemstack but does not open with systemstackcheck()
// count: systemstack.systemstack_functions = 1
#include "fixture_stubs.hpp"

namespace runtime {

extern int nstackcache;

SYSTEMSTACK void stackcache_clear();

void stackcache_clear() {
  nstackcache = 0;
}

}  // namespace runtime
