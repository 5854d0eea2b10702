// Typed allocation refuses a heap type whose pointer map cannot be derived
// (type.hpp's heapType): here a raw pointer, nested in an array of structs
// inside the allocated one, which the collector could not find. This file
// must not compile; its companion, the same shape holding a gort::ptr,
// must.
//
// gocheck-fixture: compile-fail
// also: notinheap_newobject_ok.cpp
// compile-error: static assertion failed: gort: a heap type holds a raw pointer, reference or member pointer
#include "malloc.hpp"

namespace runtime {

struct link {
  int64 v;
  link* next;  // a raw pointer: must be gort::ptr<link>
};

struct holder {
  int64 n;
  link links[4];
};

holder* allocate() { return newobject<holder>(); }

}  // namespace runtime
