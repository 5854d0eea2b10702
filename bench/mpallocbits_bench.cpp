// bench/mpallocbits_bench.cpp: the benchmarks of go1.22.12
// runtime/mpallocbits_test.go, BenchmarkPallocBitsSummarize and
// BenchmarkFindBitRange64, with their sub-benchmarks under Go's names
// (BenchmarkPallocBitsSummarize/UnpackedAAAAAAAAAAAAAAAA,
// BenchmarkFindBitRange64/PatternAASize8, ...). They reach the bitmaps
// through export_test.go's hooks (tests/export_mpagealloc_test.hpp), as Go's
// do.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
#include <benchmark/benchmark.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "export_mpagealloc_test.hpp"
#include "testing.hpp"

namespace {

using namespace gort_bench;

using runtime::FindBitRange64;
using runtime::PallocBits;
using runtime::SummarizeSlow;

// Go's fmt %02X of a uint64: upper-case hex, at least two digits.
std::string hex02X(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%02" PRIX64, v);
  return buf;
}

void registerAll() {
  // mpallocbits_test.go:299 at go1.22.12 (BenchmarkPallocBitsSummarize).
  const std::vector<uint64_t> summarizePatterns = {
      0,
      ~uint64_t(0),
      0xaa,
      0xaaaaaaaaaaaaaaaa,
      0x80000000aaaaaaaa,
      0xaaaaaaaa00000001,
      0xbbbbbbbbbbbbbbbb,
      0x80000000bbbbbbbb,
      0xbbbbbbbb00000001,
      0xcccccccccccccccc,
      0x4444444444444444,
      0x4040404040404040,
      0x4000400040004000,
      0x1000404044ccaaff,
  };
  for (uint64_t p : summarizePatterns) {
    std::shared_ptr<PallocBits> buf = std::make_shared<PallocBits>();
    for (runtime::uint i = 0; i < PallocBits::len; i++) (*buf)[i] = p;
    registerGo(("BenchmarkPallocBitsSummarize/Unpacked" + hex02X(p)).c_str(), [buf](B& b) {
      // Go's checkPallocSum against the reference first.
      runtime::PallocSum got = buf->Summarize(), want = SummarizeSlow(buf.get());
      if (got.Start() != want.Start() || got.Max() != want.Max() || got.End() != want.End()) {
        b.Error("summary disagrees with SummarizeSlow");
        return;
      }
      for (int64_t i = 0; i < b.N; i++) benchmark::DoNotOptimize(buf->Summarize());
    });
  }

  // mpallocbits_test.go:523 at go1.22.12 (BenchmarkFindBitRange64).
  const std::vector<uint64_t> patterns = {
      0,
      ~uint64_t(0),
      0xaa,
      0xaaaaaaaaaaaaaaaa,
      0x80000000aaaaaaaa,
      0xaaaaaaaa00000001,
      0xbbbbbbbbbbbbbbbb,
      0x80000000bbbbbbbb,
      0xbbbbbbbb00000001,
      0xcccccccccccccccc,
      0x4444444444444444,
      0x4040404040404040,
      0x4000400040004000,
  };
  const std::vector<runtime::uint> sizes = {2, 8, 32};
  for (uint64_t pattern : patterns) {
    for (runtime::uint size : sizes) {
      registerGo(("BenchmarkFindBitRange64/Pattern" + hex02X(pattern) + "Size" + std::to_string(size)).c_str(),
                 [pattern, size](B& b) {
                   for (int64_t i = 0; i < b.N; i++) {
                     // Go passes the pattern as a variable the compiler
                     // cannot fold; DoNotOptimize keeps it so here. Go's
                     // loop drops the result, and so does this one. Each
                     // compiler then removes what the result alone needed:
                     // Go's keeps the loop over the shifts (its control
                     // depends on c) but not the last AND and the count of
                     // trailing zeros (go tool objdump of runtime.test), and
                     // GCC, which may assume a loop without side effects
                     // ends, removes the whole search. So the row compares
                     // what each compiler leaves of the same source; what
                     // the search itself costs is not what it measures, in
                     // Go's run or in this one.
                     uint64_t x = pattern;
                     benchmark::DoNotOptimize(x);
                     FindBitRange64(x, size);
                   }
                 });
    }
  }
}

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
