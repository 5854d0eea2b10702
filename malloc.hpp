// malloc.hpp: the garbage-collected allocation entry, mirroring malloc.go at
// go1.22.12 (newobject: what `new(T)` compiles to; mallocgc behind it).
//
// Invariant [notinheap]: a type deriving from sys::NotInHeap
// (runtime/internal/sys/nih.go) never comes from here; newobject refuses it
// at compile time with Go's message (cmd/compile/internal/walk/builtin.go),
// and tools/gocheck.py refuses a plain `new` of it.
#pragma once
#include <new>
#include <type_traits>
#include <utility>

#include "runtime2.hpp"

namespace runtime {

/// notInHeap<T>: T embeds sys.NotInHeap (directly or through a base).
/// Departure: Go also marks a struct that merely has such a field; C++ cannot
/// see fields from a template, so the marker must be inherited.
template <class T>
inline constexpr bool notInHeap = std::is_base_of_v<sys::NotInHeap, T>;

/// newobject is `new(T)`: a zeroed T from the garbage-collected heap.
/// Departure: C++'s operator new until mallocgc exists (GC issue).
/// \gosrc{malloc.go,newobject}
template <class T, class... Args>
T* newobject(Args&&... args) {
  static_assert(!notInHeap<T>, "can't be allocated in Go; it is incomplete (or unallocatable)");
  return ::new T(std::forward<Args>(args)...);
}

}  // namespace runtime
