// LINKNAME (Go's //go:linkname): every such symbol must have exactly one
// definition in the objects. runtime.nanotime1 is defined here; runtime.walltime
// is declared and never defined, which Go's linker reports as
// "relocation target runtime.walltime not defined".
//
// gocheck-fixture: fail
// want: linkname_dangling.cpp:16:6: relocation target runtime.walltime not defined
// count: linkname.linkname_symbols = 2
#include "pragmas.hpp"

namespace runtime {

long nanotime1() LINKNAME("runtime.nanotime1");
long nanotime1() { return 1; }

void walltime() LINKNAME("runtime.walltime");

}  // namespace runtime
