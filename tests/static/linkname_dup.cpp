// Two objects define the same linknamed symbol: Go's loader stops with
// "duplicated definition of symbol runtime.usleep, from A and B".
//
// gocheck-fixture: fail
// also: linkname_dup_b.cpp
// want: duplicated definition of symbol runtime.usleep, from linkname_dup.cpp.o and linkname_dup_b.cpp.o
// count: linkname.linkname_symbols = 1
// count: linkname.objects = 2
#include "pragmas.hpp"

namespace runtime {
void usleep(unsigned usec) LINKNAME("runtime.usleep");
void usleep(unsigned) {}
}  // namespace runtime
