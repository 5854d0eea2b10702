// The second definition for linkname_dup.cpp.
//
// gocheck-fixture: companion
#include "pragmas.hpp"

namespace runtime {
void usleep2(unsigned usec) LINKNAME("runtime.usleep");
void usleep2(unsigned) {}
}  // namespace runtime
