// The compile-time half of NotInHeap: newobject<T>() (malloc.hpp, Go's
// newobject, the entry `new(T)` compiles to) static_asserts that T does not
// embed sys.NotInHeap, with Go's wording. This file must not compile; its
// companion, the same allocation of an ordinary type, must.
//
// gocheck-fixture: compile-fail
// also: notinheap_newobject_ok.cpp
// compile-error: static assertion failed: can't be allocated in Go; it is incomplete (or unallocatable)
#include "malloc.hpp"

namespace runtime {

struct mspan : sys::NotInHeap {
  mspan* next;
};

mspan* allocate() { return newobject<mspan>(); }

}  // namespace runtime
