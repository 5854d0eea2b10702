// A type that embeds sys.NotInHeap must not come from the garbage-collected
// heap; Go's compiler refuses new(T) with "T can't be allocated in Go; it is
// incomplete (or unallocatable)" (cmd/compile/internal/walk/builtin.go). The
// checker gives the same answer for C++ `new` of such a type, including one
// that inherits the marker through a base. Placement new, how memory from
// the runtime's own allocators is used, stays allowed.
//
// gocheck-fixture: fail
// want: notinheap_new.cpp:28:14: mspan can't be allocated in Go; it is incomplete (or unallocatable)
// want: notinheap_new.cpp:29:17: mcentral can't be allocated in Go; it is incomplete (or unallocatable)
// count: notinheap.new_expressions = 4
#include <new>

#include "pragmas.hpp"

namespace runtime {

struct mspan : sys::NotInHeap {
  mspan* next;
};
struct spanSet : mspan {};
struct mcentral : spanSet {};
struct ordinary {
  int x;
};

void allocate(void* mem) {
  mspan* s = new mspan;
  mcentral* c = new mcentral;
  mspan* placed = new (mem) mspan;
  ordinary* o = new ordinary;
  (void)s, (void)c, (void)placed, (void)o;
}

}  // namespace runtime
