// bench/slice_bench.cpp: the benchmarks of slice_test.go (go1.22.12) that
// gort runs, under Go's names: BenchmarkGrowSlice (its sub-benchmarks),
// BenchmarkAppend, BenchmarkAppendGrowByte, BenchmarkAppendGrowString,
// BenchmarkAppendSlice and BenchmarkAppendSliceLarge. The rest are listed in
// tests/inventory/todo.tsv with the reason.
//
// How Go's slice syntax maps: slice.hpp. `append([]T(nil), x...)` is
// gort::appendSlice(gort::slice<T>{}, x), a growslice every time.
//
// As in Go's run, the collector frees the arrays the loops drop, so the heap
// stays bounded and the times include the collections they cause.
#include <benchmark/benchmark.h>

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

// struct24, struct32 and struct40: bench/testing.hpp.

/// slice_test.go:154 at go1.22.12: one sub-benchmark's body.
template <class T>
void growSliceBody(B& b) {
  auto x = gort::make<T>(9);
  for (int64_t i = 0; i < b.N; i++) {
    auto s = gort::appendSlice(gort::slice<T>{}, x);
    Escape(s.array);
  }
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
template <int length>
void appendSliceBody(B& b) {
  auto x = gort::make<uint8_t>(0, N);
  auto y = gort::make<uint8_t>(length);
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

void registerAll() {
  registerGo("BenchmarkGrowSlice/Byte", growSliceBody<uint8_t>);
  registerGo("BenchmarkGrowSlice/Int16", growSliceBody<int16_t>);
  registerGo("BenchmarkGrowSlice/Int", growSliceBody<int64_t>);
  registerGo("BenchmarkGrowSlice/Ptr", growSliceBody<gort::ptr<uint8_t>>);
  registerGo("BenchmarkGrowSlice/Struct/24", growSliceBody<struct24>);
  registerGo("BenchmarkGrowSlice/Struct/32", growSliceBody<struct32>);
  registerGo("BenchmarkGrowSlice/Struct/40", growSliceBody<struct40>);
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
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
