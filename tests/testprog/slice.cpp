// testprog/slice.cpp: sub-programs that end in a slice's runtime panics
// (slice.go, and the bounds check the compiler emits, panic.go), each on
// the main goroutine and unrecovered, so that the program prints Go's
// `panic: runtime error: ...` and exits with status 2:
//   - IndexOutOfRange: s[5] of a slice of length 3;
//   - MakeSliceLen: make([]int64, n) with n = -1;
//   - MakeSliceCap: make([]int64, 4, 2) (cap below len);
//   - GrowSliceLen: append that takes a slice's length past the largest
//     int (a slice of zero-size elements, which needs no memory to be long).
#include <cstdint>

#include "go.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

/// Keeps a value alive and opaque, so that the compiler keeps the work.
template <class T>
void use(const T& v) {
  asm volatile("" : : "r"(&v) : "memory");
}

void IndexOutOfRange() {
  auto s = gort::make<int64_t>(3);
  int i = 5;
  use(i);
  use(s[i]);
}

void MakeSliceLen() {
  int64_t n = -1;
  use(n);
  auto s = gort::make<int64_t>(n);
  use(s);
}

void MakeSliceCap() {
  int64_t len = 4, cap = 2;
  use(len);
  auto s = gort::make<int64_t>(len, cap);
  use(s);
}

void GrowSliceLen() {
  auto s = gort::make<gort::struct_>(INT32_MAX);
  s = gort::appendSlice(s, s);
  use(s);
}

[[maybe_unused]] bool registered = register_("IndexOutOfRange", IndexOutOfRange) &&
                                   register_("MakeSliceLen", MakeSliceLen) &&
                                   register_("MakeSliceCap", MakeSliceCap) &&
                                   register_("GrowSliceLen", GrowSliceLen);

}  // namespace
}  // namespace testprog
