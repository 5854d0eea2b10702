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
  // s[lo:hi:max]: max against cap first, then hi against max, then lo
  // against hi, as Go's compiler orders the checks.
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub3(0, 1, 5);
        }) == "runtime.Error: runtime error: slice bounds out of range [::5] with capacity 4");
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub3(0, 1, -1);
        }) == "runtime.Error: runtime error: slice bounds out of range [::-1]");
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub3(0, 3, 2);
        }) == "runtime.Error: runtime error: slice bounds out of range [:3:2]");
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub3(2, 1, 4);
        }) == "runtime.Error: runtime error: slice bounds out of range [2:1:]");
  CHECK(panicText([] {
          auto s = gort::make<int>(3, 4);
          (void)s.sub3(-1, 1, 4);
        }) == "runtime.Error: runtime error: slice bounds out of range [-1::]");
  // append(s, make([]T, n)...) with a negative n panics as make does.
  CHECK(panicText([] {
          auto s = gort::make<int>(3);
          s = gort::extend(s, -1);
        }) == "runtime.Error: runtime error: makeslice: len out of range");
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

// gort: s.sub3 and gort::extend (append(s, make([]T, n)...)) keep Go's
// results: the capacity a three-index slice leaves, and zero elements
// appended whether the array grows or is reused with old values in it.
TEST_CASE("gort: three-index slices and extend", "[slice_test.go][gort]") {
  auto s = gort::make<int64_t>(4, 8);
  for (int i = 0; i < 4; i++) s[i] = i + 1;
  auto t = s.sub3(1, 3, 5);
  CHECK(gort::len(t) == 2);
  CHECK(gort::cap(t) == 4);
  CHECK(t[0] == 2);
  CHECK(t.sub3(0, 0, 0).array.get() == t.array.get());  // no capacity: the base stays

  // No growth: the old array's tail is cleared (its 3 and 4 become 0).
  auto u = gort::extend(s.sub3(0, 1, 8), 3);
  CHECK(u.array.get() == s.array.get());
  CHECK(gort::len(u) == 4);
  CHECK(u[0] == 1);
  CHECK(u[1] == 0);
  CHECK(u[2] == 0);
  CHECK(u[3] == 0);
  CHECK(s[3] == 0);  // the same array

  // Growth: a new array, the old elements copied, the new ones zero.
  for (int i = 0; i < 4; i++) s[i] = i + 1;
  auto v = gort::extend(s.sub3(0, 2, 2), 4);
  CHECK(v.array.get() != s.array.get());
  CHECK(gort::len(v) == 6);
  CHECK(gort::cap(v) >= 6);
  CHECK(v[0] == 1);
  CHECK(v[1] == 2);
  for (int i = 2; i < 6; i++) CHECK(v[i] == 0);

  // GC references: cleared in place through the barrier, zero when grown.
  auto p = gort::make<gort::ptr<int64_t>>(2, 4);
  p[0] = gort::new_<int64_t>(7);
  p[1] = gort::new_<int64_t>(8);
  auto q = gort::extend(p.sub3(0, 0, 4), 2);
  CHECK(q.array.get() == p.array.get());
  CHECK(!q[0]);
  CHECK(!q[1]);
  auto r = gort::extend(p.sub3(0, 0, 1), 2);
  CHECK(r.array.get() != p.array.get());
  CHECK(!r[0]);
  CHECK(!r[1]);
  CHECK(gort::len(gort::extend(gort::slice<int64_t>{}, 0)) == 0);
}
