// bench/slice_bench.cpp: the benchmarks of slice_test.go (go1.22.12) that
// gort runs, under Go's names, each with its sub-benchmarks:
// BenchmarkMakeSliceCopy, BenchmarkMakeSlice, BenchmarkGrowSlice,
// BenchmarkExtendSlice, BenchmarkAppend, BenchmarkAppendGrowByte, BenchmarkAppendGrowString,
// BenchmarkAppendSlice, BenchmarkAppendSliceLarge, BenchmarkAppendStr,
// BenchmarkAppendSpecialCase, BenchmarkCopy and BenchmarkAppendInPlace. The
// rest are listed in tests/inventory/todo.tsv with the reason.
//
// A Go string is a std::string_view here (slice.hpp's Departure): the
// sources of BenchmarkAppendStr and of BenchmarkCopy's NString cases.
//
// How Go's slice syntax maps: slice.hpp. `append([]T(nil), x...)` is
// gort::appendSlice(gort::slice<T>{}, x), a growslice every time.
//
// As in Go's run, the collector frees the arrays the loops drop, so the heap
// stays bounded and the times include the collections they cause.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>

#include "export_test.hpp"
#include "go.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;
using runtime::Escape;

// slice_test.go:12
constexpr int N = 20;

/// slice_test.go:14 at go1.22.12 (BenchmarkMakeSliceCopy), one mallocmove or
/// makecopy sub-benchmark: make a []T of n elements and copy a source of n
/// elements into it. mallocmove takes the length from len(src), makecopy
/// writes it as a constant. Go's compiler turns both pairs into one call of
/// makeslicecopy, which allocates without zeroing (for an element without
/// pointers) and copies. Departure: the port has no such fusion: the same
/// rows here are two calls, gort::make (makeslice64, zeroed) then gort::copy
/// (slicecopy, or typedslicecopy for pointers). Go makes the source once,
/// before its sub-benchmarks; here each run makes it with the timer stopped.
template <class T, int n, bool constLen>
void makeSliceCopyBody(B& b) {
  b.StopTimer();
  auto src = gort::make<T>(n);
  b.StartTimer();
  for (int64_t i = 0; i < b.N; i++) {
    auto x = gort::make<T>(constLen ? n : gort::len(src));
    gort::copy(x, src);
    Escape(x.array);
  }
}

/// slice_test.go:67 at go1.22.12 (BenchmarkMakeSliceCopy/nilappend), one
/// sub-benchmark: append a source of n elements to a nil []T, a growslice
/// every time.
template <class T, int n>
void makeSliceCopyNilAppendBody(B& b) {
  b.StopTimer();
  auto src = gort::make<T>(n);
  b.StartTimer();
  for (int64_t i = 0; i < b.N; i++) {
    auto x = gort::appendSlice(gort::slice<T>{}, src);
    Escape(x.array);
  }
}

// struct24, struct32 and struct40: bench/testing.hpp.

/// slice_test.go:98 at go1.22.12 (BenchmarkMakeSlice), one sub-benchmark:
/// make([]T, 2, 4). Go's x lives outside the loop, so each make escapes to
/// the heap (makeslice) as it does here (makeslice64).
template <class T>
void makeSliceBody(B& b) {
  constexpr int length = 2;
  for (int64_t i = 0; i < b.N; i++) {
    auto x = gort::make<T>(length, 2 * length);
    Escape(x.array);
  }
}

/// slice_test.go:154 at go1.22.12: one sub-benchmark's body.
template <class T>
void growSliceBody(B& b) {
  auto x = gort::make<T>(9);
  for (int64_t i = 0; i < b.N; i++) {
    auto s = gort::appendSlice(gort::slice<T>{}, x);
    Escape(s.array);
  }
}

// slice_test.go:203: where BenchmarkExtendSlice's results go.
gort::slice<int64_t> SinkIntSlice;
gort::slice<gort::ptr<int64_t>> SinkIntPointerSlice;

/// slice_test.go:207 at go1.22.12 (BenchmarkExtendSlice), one
/// sub-benchmark: append(s[:0:max], make([]T, length)...), which Go's
/// compiler writes as extendSlice and the port spells gort::extend: with
/// max = length/2 (IntSlice, PointerSlice) a growslice every time, with
/// max = length (NoGrow) a clear of the old array. length is a variable in
/// Go, so that its compiler cannot keep the slices on the stack; here it
/// is hidden from GCC, which would otherwise fold it.
template <class T>
void extendSliceBody(B& b, gort::slice<T>& sink, bool grow) {
  int length = 4;
  asm("" : "+r"(length));
  auto s = gort::make<T>(0, length);
  const int max = grow ? length / 2 : length;
  for (int64_t i = 0; i < b.N; i++) s = gort::extend(s.sub3(0, 0, max), length);
  sink = s;
}

/// slice_test.go:232 at go1.22.12
void BenchmarkAppend(B& b) {
  b.StopTimer();
  auto x = gort::make<int64_t>(0, N);
  b.StartTimer();
  for (int64_t i = 0; i < b.N; i++) {
    x = x.sub(0, 0);
    for (int j = 0; j < N; j++) x = gort::append(x, int64_t(j));
  }
  Escape(x.array);
}

/// slice_test.go:244 at go1.22.12: grow a []byte from nil to 1 MiB one
/// append at a time.
void BenchmarkAppendGrowByte(B& b) {
  for (int64_t i = 0; i < b.N; i++) {
    gort::slice<uint8_t> x;
    for (int j = 0; j < 1 << 20; j++) {
      x = gort::append(x, uint8_t(j));
    }
  }
}

/// goString: the header of a Go string, (pointer, length), as the element of
/// BenchmarkAppendGrowString's []string. Departure: the port has no string
/// type; this one has Go's size (16 bytes) and pointer map (its first word),
/// which is all that growslice and the collector see of a string element.
struct goString {
  gort::ptr<uint8_t> str;
  int64_t len;
};

/// slice_test.go:253 at go1.22.12: grow a []string of 1<<20 empty strings.
void BenchmarkAppendGrowString(B& b) {
  goString s{};
  for (int64_t i = 0; i < b.N; i++) {
    gort::slice<goString> x;
    for (int j = 0; j < 1 << 20; j++) {
      x = gort::append(x, s);
    }
  }
}

/// slice_test.go:263 at go1.22.12: one sub-benchmark's body.
/// In Go length is the range loop's variable, captured by the closure, so
/// the compiler knows neither it nor len(y); the empty asm keeps GCC from
/// knowing it either, or the move would be folded to a constant size.
template <int length>
void appendSliceBody(B& b) {
  auto x = gort::make<uint8_t>(0, N);
  int n = length;
  asm("" : "+r"(n));
  auto y = gort::make<uint8_t>(n);
  for (int64_t i = 0; i < b.N; i++) {
    x = x.sub(0, 0);
    x = gort::appendSlice(x, y);
  }
  Escape(x.array);
}

/// slice_test.go:276 at go1.22.12 (blackhole): a global, where the collector
/// looks (the program's data and bss are roots).
gort::slice<uint8_t> blackhole;

/// slice_test.go:280 at go1.22.12: one sub-benchmark's body. Go makes y
/// before b.Run, so untimed, once per length; here each run makes it with
/// the timer stopped.
template <int length>
void appendSliceLargeBody(B& b) {
  b.StopTimer();
  auto y = gort::make<uint8_t>(length);
  b.StartTimer();
  for (int64_t i = 0; i < b.N; i++) {
    blackhole = {};
    blackhole = gort::appendSlice(blackhole, y);
  }
}

/// slice_test.go:292 at go1.22.12 (BenchmarkAppendStr), one sub-benchmark:
/// append a string of length bytes to an emptied []byte with room for it.
/// In Go str is the range loop's variable, captured by the closure, so the
/// compiler knows neither its bytes nor its length; the empty asm hides
/// both from GCC in the same way (as in copyBody).
void appendStrBody(B& b, std::string_view str) {
  const char* p = str.data();
  size_t n = str.size();
  asm("" : "+r"(p), "+r"(n));
  str = std::string_view(p, n);
  auto x = gort::make<uint8_t>(0, N);
  for (int64_t i = 0; i < b.N; i++) {
    x = x.sub(0, 0);
    x = gort::appendSlice(x, str);
  }
  Escape(x.array);
}

/// slice_test.go:310 at go1.22.12: append N ints to an emptied slice with
/// room for them, by hand (extend by one, then store) while there is room,
/// with append otherwise.
void BenchmarkAppendSpecialCase(B& b) {
  b.StopTimer();
  auto x = gort::make<int64_t>(0, N);
  b.StartTimer();
  for (int64_t i = 0; i < b.N; i++) {
    x = x.sub(0, 0);
    for (int j = 0; j < N; j++) {
      if (gort::len(x) < gort::cap(x)) {
        x = x.sub(0, gort::len(x) + 1);
        x[gort::len(x) - 1] = j;
      } else {
        x = gort::append(x, int64_t(j));
      }
    }
  }
  Escape(x.array);
}

/// slice_test.go:352 at go1.22.12 (BenchmarkCopy), its lByte sub-benchmark:
/// copy an l-byte slice to the front of a 4 KiB one. Go makes buf before the
/// sub-benchmark; here each run makes it with the timer stopped. Go reports
/// n through b.SetBytes (an MB/s column beside ns/op); B has no SetBytes,
/// and the rows compare ns/op, so n is only kept live. In Go l is the
/// range loop's variable, captured by the closure, so the compiler does not
/// know the length it copies; the empty asm hides l from GCC in the same
/// way (as a constant, the copies of 1 to 16 bytes became single moves of
/// about 0.3 ns).
void copyBody(B& b, int l) {
  asm("" : "+r"(l));
  b.StopTimer();
  auto buf = gort::make<uint8_t>(4096);
  b.StartTimer();
  auto s = gort::make<uint8_t>(l);
  int n = 0;
  for (int64_t i = 0; i < b.N; i++) {
    n = gort::copy(buf, s);
  }
  Escape(n);
}

/// slice_test.go:352 at go1.22.12 (BenchmarkCopy), its lString
/// sub-benchmark: as copyBody, from a string of l zero bytes (Go's
/// string(make([]byte, l)), a copy on the heap; here a std::string and the
/// view of it that stands for the Go string).
void copyStringBody(B& b, int l) {
  asm("" : "+r"(l));
  b.StopTimer();
  auto buf = gort::make<uint8_t>(4096);
  b.StartTimer();
  std::string bytes(size_t(l), '\0');
  std::string_view s = bytes;
  int n = 0;
  for (int64_t i = 0; i < b.N; i++) {
    n = gort::copy(buf, s);
  }
  Escape(n);
}

/// slice_test.go:374 at go1.22.12: BenchmarkAppendInPlace's slices, globals
/// as in Go, so that each append's result is stored back to memory.
gort::slice<uint8_t> sByte;
gort::slice<uintptr_t> s1Ptr;
gort::slice<std::array<uintptr_t, 2>> s2Ptr;
gort::slice<std::array<uintptr_t, 3>> s3Ptr;
gort::slice<std::array<uintptr_t, 4>> s4Ptr;

/// slice_test.go:397 at go1.22.12 (BenchmarkAppendInPlace/NoGrow), one
/// sub-benchmark: make a slice of C elements (cap C), append C more (the
/// first append grows it, the rest fit). Departure: Go's compiler appends in
/// place to a slice it reaches by address, storing only the new length while
/// the array has room; gort::append returns a whole header, and the store
/// back to the global writes all three words, its array through the write
/// barrier's check.
template <class T>
void appendInPlaceNoGrowBody(B& b, gort::slice<T>& s, const T& v) {
  constexpr int C = 128;
  for (int64_t i = 0; i < b.N; i++) {
    s = gort::make<T>(C);
    for (int j = 0; j < C; j++) {
      s = gort::append(s, v);
    }
  }
}

/// slice_test.go:447 at go1.22.12 (BenchmarkAppendInPlace/Grow), one
/// sub-benchmark: from an empty slice, C times append one element and
/// extend the slice to its capacity, so that every append grows it.
template <class T>
void appendInPlaceGrowBody(B& b, gort::slice<T>& s, const T& v) {
  constexpr int C = 5;
  for (int64_t i = 0; i < b.N; i++) {
    s = gort::make<T>(0);
    for (int j = 0; j < C; j++) {
      s = gort::append(s, v);
      s = s.sub(0, gort::cap(s));
    }
  }
}

void registerAll() {
  // BenchmarkMakeSliceCopy's sources: 8*length bytes, length ints and
  // length pointers (slice_test.go:15).
  constexpr int length = 32;
  registerGo("BenchmarkMakeSliceCopy/mallocmove/Byte", makeSliceCopyBody<uint8_t, 8 * length, false>);
  registerGo("BenchmarkMakeSliceCopy/mallocmove/Int", makeSliceCopyBody<int64_t, length, false>);
  registerGo("BenchmarkMakeSliceCopy/mallocmove/Ptr", makeSliceCopyBody<gort::ptr<uint8_t>, length, false>);
  registerGo("BenchmarkMakeSliceCopy/makecopy/Byte", makeSliceCopyBody<uint8_t, 8 * length, true>);
  registerGo("BenchmarkMakeSliceCopy/makecopy/Int", makeSliceCopyBody<int64_t, length, true>);
  registerGo("BenchmarkMakeSliceCopy/makecopy/Ptr", makeSliceCopyBody<gort::ptr<uint8_t>, length, true>);
  registerGo("BenchmarkMakeSliceCopy/nilappend/Byte", makeSliceCopyNilAppendBody<uint8_t, 8 * length>);
  registerGo("BenchmarkMakeSliceCopy/nilappend/Int", makeSliceCopyNilAppendBody<int64_t, length>);
  registerGo("BenchmarkMakeSliceCopy/nilappend/Ptr", makeSliceCopyNilAppendBody<gort::ptr<uint8_t>, length>);
  registerGo("BenchmarkMakeSlice/Byte", makeSliceBody<uint8_t>);
  registerGo("BenchmarkMakeSlice/Int16", makeSliceBody<int16_t>);
  registerGo("BenchmarkMakeSlice/Int", makeSliceBody<int64_t>);
  registerGo("BenchmarkMakeSlice/Ptr", makeSliceBody<gort::ptr<uint8_t>>);
  registerGo("BenchmarkMakeSlice/Struct/24", makeSliceBody<struct24>);
  registerGo("BenchmarkMakeSlice/Struct/32", makeSliceBody<struct32>);
  registerGo("BenchmarkMakeSlice/Struct/40", makeSliceBody<struct40>);
  registerGo("BenchmarkGrowSlice/Byte", growSliceBody<uint8_t>);
  registerGo("BenchmarkGrowSlice/Int16", growSliceBody<int16_t>);
  registerGo("BenchmarkGrowSlice/Int", growSliceBody<int64_t>);
  registerGo("BenchmarkGrowSlice/Ptr", growSliceBody<gort::ptr<uint8_t>>);
  registerGo("BenchmarkGrowSlice/Struct/24", growSliceBody<struct24>);
  registerGo("BenchmarkGrowSlice/Struct/32", growSliceBody<struct32>);
  registerGo("BenchmarkGrowSlice/Struct/40", growSliceBody<struct40>);
  registerGo("BenchmarkExtendSlice/IntSlice", [](B& b) { extendSliceBody(b, SinkIntSlice, true); });
  registerGo("BenchmarkExtendSlice/PointerSlice", [](B& b) { extendSliceBody(b, SinkIntPointerSlice, true); });
  registerGo("BenchmarkExtendSlice/NoGrow", [](B& b) { extendSliceBody(b, SinkIntSlice, false); });
  registerGo("BenchmarkAppend", BenchmarkAppend);
  registerGo("BenchmarkAppendGrowByte", BenchmarkAppendGrowByte);
  registerGo("BenchmarkAppendGrowString", BenchmarkAppendGrowString);
  registerGo("BenchmarkAppendSlice/1Bytes", appendSliceBody<1>);
  registerGo("BenchmarkAppendSlice/4Bytes", appendSliceBody<4>);
  registerGo("BenchmarkAppendSlice/7Bytes", appendSliceBody<7>);
  registerGo("BenchmarkAppendSlice/8Bytes", appendSliceBody<8>);
  registerGo("BenchmarkAppendSlice/15Bytes", appendSliceBody<15>);
  registerGo("BenchmarkAppendSlice/16Bytes", appendSliceBody<16>);
  registerGo("BenchmarkAppendSlice/32Bytes", appendSliceBody<32>);
  registerGo("BenchmarkAppendSliceLarge/1024Bytes", appendSliceLargeBody<1 << 10>);
  registerGo("BenchmarkAppendSliceLarge/4096Bytes", appendSliceLargeBody<4 << 10>);
  registerGo("BenchmarkAppendSliceLarge/16384Bytes", appendSliceLargeBody<16 << 10>);
  registerGo("BenchmarkAppendSliceLarge/65536Bytes", appendSliceLargeBody<64 << 10>);
  registerGo("BenchmarkAppendSliceLarge/262144Bytes", appendSliceLargeBody<256 << 10>);
  registerGo("BenchmarkAppendSliceLarge/1048576Bytes", appendSliceLargeBody<1024 << 10>);
  registerGo("BenchmarkAppendStr/1Bytes", [](B& b) { appendStrBody(b, "1"); });
  registerGo("BenchmarkAppendStr/4Bytes", [](B& b) { appendStrBody(b, "1234"); });
  registerGo("BenchmarkAppendStr/8Bytes", [](B& b) { appendStrBody(b, "12345678"); });
  registerGo("BenchmarkAppendStr/16Bytes", [](B& b) { appendStrBody(b, "1234567890123456"); });
  registerGo("BenchmarkAppendStr/32Bytes", [](B& b) { appendStrBody(b, "12345678901234567890123456789012"); });
  registerGo("BenchmarkAppendSpecialCase", BenchmarkAppendSpecialCase);
  registerGo("BenchmarkCopy/1Byte", [](B& b) { copyBody(b, 1); });
  registerGo("BenchmarkCopy/1String", [](B& b) { copyStringBody(b, 1); });
  registerGo("BenchmarkCopy/2Byte", [](B& b) { copyBody(b, 2); });
  registerGo("BenchmarkCopy/2String", [](B& b) { copyStringBody(b, 2); });
  registerGo("BenchmarkCopy/4Byte", [](B& b) { copyBody(b, 4); });
  registerGo("BenchmarkCopy/4String", [](B& b) { copyStringBody(b, 4); });
  registerGo("BenchmarkCopy/8Byte", [](B& b) { copyBody(b, 8); });
  registerGo("BenchmarkCopy/8String", [](B& b) { copyStringBody(b, 8); });
  registerGo("BenchmarkCopy/12Byte", [](B& b) { copyBody(b, 12); });
  registerGo("BenchmarkCopy/12String", [](B& b) { copyStringBody(b, 12); });
  registerGo("BenchmarkCopy/16Byte", [](B& b) { copyBody(b, 16); });
  registerGo("BenchmarkCopy/16String", [](B& b) { copyStringBody(b, 16); });
  registerGo("BenchmarkCopy/32Byte", [](B& b) { copyBody(b, 32); });
  registerGo("BenchmarkCopy/32String", [](B& b) { copyStringBody(b, 32); });
  registerGo("BenchmarkCopy/128Byte", [](B& b) { copyBody(b, 128); });
  registerGo("BenchmarkCopy/128String", [](B& b) { copyStringBody(b, 128); });
  registerGo("BenchmarkCopy/1024Byte", [](B& b) { copyBody(b, 1024); });
  registerGo("BenchmarkCopy/1024String", [](B& b) { copyStringBody(b, 1024); });
  registerGo("BenchmarkAppendInPlace/NoGrow/Byte", [](B& b) { appendInPlaceNoGrowBody(b, sByte, uint8_t(0x77)); });
  registerGo("BenchmarkAppendInPlace/NoGrow/1Ptr", [](B& b) { appendInPlaceNoGrowBody(b, s1Ptr, uintptr_t(0x77)); });
  registerGo("BenchmarkAppendInPlace/NoGrow/2Ptr", [](B& b) { appendInPlaceNoGrowBody(b, s2Ptr, {0x77, 0x88}); });
  registerGo("BenchmarkAppendInPlace/NoGrow/3Ptr", [](B& b) { appendInPlaceNoGrowBody(b, s3Ptr, {0x77, 0x88, 0x99}); });
  registerGo("BenchmarkAppendInPlace/NoGrow/4Ptr",
             [](B& b) { appendInPlaceNoGrowBody(b, s4Ptr, {0x77, 0x88, 0x99, 0xAA}); });
  registerGo("BenchmarkAppendInPlace/Grow/Byte", [](B& b) { appendInPlaceGrowBody(b, sByte, uint8_t(0x77)); });
  registerGo("BenchmarkAppendInPlace/Grow/1Ptr", [](B& b) { appendInPlaceGrowBody(b, s1Ptr, uintptr_t(0x77)); });
  registerGo("BenchmarkAppendInPlace/Grow/2Ptr", [](B& b) { appendInPlaceGrowBody(b, s2Ptr, {0x77, 0x88}); });
  registerGo("BenchmarkAppendInPlace/Grow/3Ptr", [](B& b) { appendInPlaceGrowBody(b, s3Ptr, {0x77, 0x88, 0x99}); });
  registerGo("BenchmarkAppendInPlace/Grow/4Ptr",
             [](B& b) { appendInPlaceGrowBody(b, s4Ptr, {0x77, 0x88, 0x99, 0xAA}); });
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
