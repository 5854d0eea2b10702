// go:nowritebarrier (cmd/compile/internal/ssagen/nowb.go): the function
// itself must not contain a write barrier. setNext stores a pointer through
// the barrier; callsSetter only calls a function that does, which the
// non-recursive directive allows (Go reports only fn.WBPos, the function's
// own first barrier).
//
// gocheck-fixture: fail
// want: nowritebarrier.cpp:27:3: write barrier prohibited
// count: nowritebarrier.functions = 2
#include "mwbbuf.hpp"

namespace runtime {

struct node {
  node* next;
};

NOWRITEBARRIER void setNext(node* n, node* v);
NOWRITEBARRIER void callsSetter(node* n, node* v);
void storeWithBarrier(node* n, node* v);

void storeWithBarrier(node* n, node* v) { writebarrierptr(&n->next, v); }

void callsSetter(node* n, node* v) { storeWithBarrier(n, v); }

void setNext(node* n, node* v) {
  writebarrierptr(&n->next, v);
}

}  // namespace runtime
