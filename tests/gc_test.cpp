// gc_test.go: the two tests of go1.22.12 runtime/gc_test.go that check the
// allocator's own accounting and need no collector (each cites the line of
// Go's func): ReadMemStats against a recount by walking every span, and the
// heap's count of pages in use. The rest of gc_test.go tests the collector
// and comes with it (tests/inventory/covered.txt keeps only these two).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "export_test.hpp"
#include "malloc.hpp"
#include "runtime.hpp"

namespace {

// gc_test.go:553's block: 64 KiB of bytes.
struct block64k {
  uint8_t b[64 << 10];
};

}  // namespace

// gc_test.go:555 at go1.22.12
TEST_CASE("TestPageAccounting", "[gc_test.go]") {
  // Grow the heap in small steps; the pages-in-use count once fell below
  // zero this way through a rounding mismatch (golang.org/issue/15022).
  constexpr size_t blockSize = 64 << 10;
  std::vector<block64k*> blocks((64 << 20) / blockSize);
  for (auto& b : blocks) b = runtime::newobject<block64k>();
  runtime::Escape(blocks.data());

  // The running count must match reality.
  auto [pagesInUse, counted] = runtime::CountPagesInUse();
  if (pagesInUse != counted) FAIL("mheap_.pagesInUse is " << pagesInUse << ", but direct count is " << counted);
}

// gc_test.go:585 at go1.22.12
TEST_CASE("TestReadMemStats", "[gc_test.go]") {
  // (Go's init turns the double check on for the whole test binary;
  // malloc_test.cpp does the same here.)
  *runtime::DoubleCheckReadMemStats = true;
  auto [base, slow] = runtime::ReadMemStatsSlow();
  // Go compares the structs with != and logs the fields that differ.
#define GORT_FIELD(f) CHECK(base.f == slow.f)
  GORT_FIELD(Alloc);
  GORT_FIELD(TotalAlloc);
  GORT_FIELD(Sys);
  GORT_FIELD(Lookups);
  GORT_FIELD(Mallocs);
  GORT_FIELD(Frees);
  GORT_FIELD(HeapAlloc);
  GORT_FIELD(HeapSys);
  GORT_FIELD(HeapIdle);
  GORT_FIELD(HeapInuse);
  GORT_FIELD(HeapReleased);
  GORT_FIELD(HeapObjects);
  GORT_FIELD(StackInuse);
  GORT_FIELD(StackSys);
  GORT_FIELD(MSpanInuse);
  GORT_FIELD(MSpanSys);
  GORT_FIELD(MCacheInuse);
  GORT_FIELD(MCacheSys);
  GORT_FIELD(BuckHashSys);
  GORT_FIELD(GCSys);
  GORT_FIELD(OtherSys);
  GORT_FIELD(NextGC);
  GORT_FIELD(LastGC);
  GORT_FIELD(PauseTotalNs);
  GORT_FIELD(NumGC);
  GORT_FIELD(NumForcedGC);
  GORT_FIELD(EnableGC);
  GORT_FIELD(DebugGC);
#undef GORT_FIELD
  CHECK(std::memcmp(base.PauseNs, slow.PauseNs, sizeof base.PauseNs) == 0);
  CHECK(std::memcmp(base.PauseEnd, slow.PauseEnd, sizeof base.PauseEnd) == 0);
  for (size_t i = 0; i < sizeof base.BySize / sizeof base.BySize[0]; i++) {
    INFO("BySize[" << i << "]");
    CHECK(base.BySize[i].Size == slow.BySize[i].Size);
    CHECK(base.BySize[i].Mallocs == slow.BySize[i].Mallocs);
    CHECK(base.BySize[i].Frees == slow.BySize[i].Frees);
  }
}
