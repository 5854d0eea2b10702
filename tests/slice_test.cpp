// tests/slice_test.cpp: slice_test.go (go1.22.12) under Go's names, and
// gort's own tests of slices (slice.hpp, slice.cpp): Go's growth rule,
// checked against the capacities go1.22.12 gives, make's and the bounds
// check's panics, recovered.
//
// How Go's slice syntax maps: `make([]T, n, c)` is gort::make<T>(n, c),
// `append(s, v...)` is gort::append(s, v...), `append(s, t...)` is
// gort::appendSlice(s, t), `s[i]` is s[i] and `s[lo:hi]` is s.sub(lo, hi).
// The benchmarks of slice_test.go are listed in tests/inventory/todo.tsv.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>

#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"

namespace {

gort::slice<int> x;

int f() {
  x.sub(0, 1)[0] = 3;
  return 2;
}

}  // namespace

// slice_test.go:334 at go1.22.12
TEST_CASE("TestSideEffectOrder", "[slice_test.go]") {
  x = gort::make<int>(0, 10);
  x = gort::append(x, 1, f());
  INFO("append failed: " << x[0] << " " << x[1]);
  CHECK((x[0] == 1 && x[1] == 2));
}

// slice_test.go:342 at go1.22.12
TEST_CASE("TestAppendOverlap", "[slice_test.go]") {
  auto x = gort::make<char>(0, 4);
  x = gort::append(x, '1', '2', '3', '4');
  x = gort::appendSlice(x.sub(1, x.len), x);  // p > q in runtime·appendslice.
  std::string got(x.begin(), x.end());
  std::string want = "2341234";
  CHECK(got == want);
}

// --- gort's own -------------------------------------------------------------

namespace {

/// The capacities a slice of T goes through while 100000 elements are
/// appended one at a time, as Go's test program prints them.
template <class T>
std::string capacities() {
  gort::slice<T> s;
  std::string out;
  int c = -1;
  for (int i = 0; i < 100000; i++) {
    s = gort::append(s, T{});
    if (s.cap != c) {
      c = s.cap;
      out += std::to_string(c) + ",";
    }
  }
  return out;
}

struct P24 {
  gort::ptr<int> p;
  int64_t a, b;
};
struct P64 {
  gort::ptr<int> p;
  int64_t x[7];
};

}  // namespace

// The growth rule (nextslicecap) and the rounding to size classes
// (roundupsize, with malloc headers for pointerful elements) give exactly
// the capacities go1.22.12 gives for the same appends. The expected strings
// are the output of a Go program that does these appends (for []byte,
// []int64, [][3]int64, []*int, []P24, []P64, [][5]int64) under go1.22.12.
TEST_CASE("gort: append grows capacity as go1.22.12 does", "[slice_test.go][gort]") {
  CHECK(capacities<uint8_t>() ==
        "8,16,32,64,128,256,512,896,1408,2048,3072,4096,5376,6912,9472,12288,16384,21760,28672,40960,57344,73728,"
        "98304,131072,");
  CHECK(capacities<int64_t>() ==
        "1,2,4,8,16,32,64,128,256,512,848,1280,1792,2560,3408,5120,7168,9216,12288,16384,21504,27648,34816,44032,"
        "55296,69632,88064,110592,");
  CHECK(capacities<std::array<int64_t, 3>>() ==
        "1,2,4,8,16,32,64,128,256,512,853,1365,2048,3072,4096,5461,7168,9216,11946,15360,19456,24576,31061,39253,"
        "49493,62122,78165,97962,122880,");
  CHECK(capacities<gort::ptr<int>>() ==
        "1,2,4,8,16,32,64,143,287,607,1023,1535,2303,3071,4095,6144,8192,11264,14336,18432,23552,29696,37888,"
        "48128,60416,75776,95232,119808,");
  CHECK(capacities<P24>() ==
        "1,2,4,8,16,37,74,170,341,682,1135,1706,2389,3413,4778,6485,8533,10922,13994,17749,22528,28672,36181,"
        "45738,57685,72362,90794,114005,");
  CHECK(capacities<P64>() ==
        "1,2,4,8,17,35,75,151,319,640,1024,1536,2176,2944,3968,5248,6784,8704,11136,14208,18048,22784,28672,"
        "36096,45312,56832,71296,89344,111872,");
  CHECK(capacities<std::array<int64_t, 5>>() ==
        "1,2,4,8,16,32,67,134,272,544,1024,1638,2252,3072,4096,5324,6963,9011,11468,14540,18432,23347,29491,"
        "37068,46694,58572,73523,92160,115507,");
}

// append keeps the old elements and shares nothing with the old array once
// it has grown; the old array keeps its values.
TEST_CASE("gort: append copies into a grown array", "[slice_test.go][gort]") {
  auto a = gort::make<int64_t>(3);
  for (int i = 0; i < 3; i++) a[i] = i + 10;
  auto b = gort::append(a, int64_t(13));
  REQUIRE(b.len == 4);
  REQUIRE(b.cap == 6);  // double, rounded to the 48-byte class
  CHECK(b.array != a.array);
  for (int i = 0; i < 4; i++) CHECK(b[i] == i + 10);
  b[0] = 99;
  CHECK(a[0] == 10);
  // Within capacity, append writes in place.
  auto c = gort::append(b, int64_t(14));
  CHECK(c.array == b.array);
  CHECK(c.len == 5);
  // The new array past len is zero ([slice-zero]).
  CHECK(c.array[5] == 0);
}

namespace {
std::string panicText(void (*fn)()) {
  try {
    fn();
  } catch (const runtime::PanicError& e) {
    return std::string(e.RuntimeError() ? "runtime.Error: " : "") + e.what();
  }
  return "<no panic>";
}
}  // namespace

// The panics of make, append and the bounds check carry Go's text and
// implement runtime.Error (recovered here; tests/crash_test.cpp checks the
// unrecovered ones).
TEST_CASE("gort: slice panics carry Go's text", "[slice_test.go][gort]") {
  CHECK(panicText([] { gort::make<int>(-1); }) == "runtime.Error: runtime error: makeslice: len out of range");
  CHECK(panicText([] { gort::make<int>(int64_t(1) << 40); }) ==
        "runtime.Error: runtime error: makeslice: len out of range");
  CHECK(panicText([] { gort::make<int>(2, 1); }) == "runtime.Error: runtime error: makeslice: cap out of range");
  CHECK(panicText([] { gort::make<int>(1, int64_t(1) << 40); }) ==
        "runtime.Error: runtime error: makeslice: cap out of range");
  // A length that fits an int but not the heap.
  CHECK(panicText([] { gort::make<std::array<int64_t, 1 << 20>>(1 << 30); }) ==
        "runtime.Error: runtime error: makeslice: len out of range");
  CHECK(panicText([] {
          auto s = gort::make<int>(3);
          (void)s[5];
        }) == "runtime.Error: runtime error: index out of range [5] with length 3");
  CHECK(panicText([] {
          auto s = gort::make<int>(3);
          (void)s[-1];
        }) == "runtime.Error: runtime error: index out of range [-1]");
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub(0, 5);
        }) == "runtime.Error: runtime error: slice bounds out of range [:5] with capacity 4");
  CHECK(panicText([] {
          auto s = gort::make<int>(3);
          (void)s.sub(2, 1);
        }) == "runtime.Error: runtime error: slice bounds out of range [2:1]");
  CHECK(panicText([] {
          gort::slice<gort::struct_> s = gort::make<gort::struct_>(INT32_MAX);
          s = gort::appendSlice(s, s);
        }) == "runtime.Error: runtime error: growslice: len out of range");
  // An element so large that the grown capacity exceeds the heap.
  // Headers only, with no array behind them: growslice refuses before it
  // would copy.
  CHECK(panicText([] {
          using mib = std::array<int64_t, 1 << 17>;
          gort::slice<mib> s, t;
          s.len = s.cap = 1 << 29;
          t.len = t.cap = 1;
          s = gort::appendSlice(s, t);
        }) == "runtime.Error: runtime error: growslice: len out of range");
}
