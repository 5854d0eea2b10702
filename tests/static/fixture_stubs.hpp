// fixture_stubs.hpp: stand-ins for the stubs.hpp entry points the systemstack
// rule knows by name (runtime::systemstack, runtime::mcall and the entry
// check runtime::systemstackcheck), so that the systemstack fixtures compile
// on their own, whatever stubs.hpp holds at the time. The checker matches
// these names, not their bodies.
#pragma once
#include "pragmas.hpp"

namespace runtime {
struct g;
[[noreturn]] void morestackc();
NOSPLIT_INLINE void systemstackcheck() {
  extern bool onUserStack();
  if (onUserStack()) morestackc();
}
template <class F>
void systemstack(F&& f) {
  f();
}
void mcall(void (*fn)(g*));
}  // namespace runtime
