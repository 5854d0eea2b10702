// Typed allocation refuses a heap type holding a class whose members it
// cannot list (type.hpp's heapType): here a std::string, whose pointers
// into the C++ heap are private. This file must not compile; its companion,
// an ordinary heap type, must.
//
// gocheck-fixture: compile-fail
// also: notinheap_newobject_ok.cpp
// compile-error: static assertion failed: gort: a heap type holds a class that is not an aggregate
#include <string>

#include "malloc.hpp"

namespace runtime {

struct named {
  int64 id;
  std::string name;
};

named* allocate() { return newobject<named>(); }

}  // namespace runtime
