// mpallocbits_test.cpp: the bitmap tests of go1.22.12
// runtime/mpallocbits_test.go, translated test by test, every table entry
// kept. Each TEST_CASE has Go's name and cites the line of Go's func; its
// benchmarks (BenchmarkPallocBitsSummarize, BenchmarkFindBitRange64) are in
// bench/mpallocbits_bench.cpp.
//
// Translation rules (shared by the page allocator's test files):
//   - The hooks are export_test.go's, from export_mpagealloc_test.hpp, under
//     Go's names (Go's tests dot-import package runtime; here the names are
//     brought in with using-declarations).
//   - t.Run(name, f) is a Catch2 SECTION (DYNAMIC_SECTION for a table's
//     names); t.Errorf is a failed CHECK that lets the test go on, t.Fatalf
//     a failed REQUIRE that ends the section; t.Logf's details go into the
//     failure's message.
//   - Go's maps of tables are std::map; `new(PallocBits)` is a zeroed
//     object on the heap; math/rand is runtime::testRand().
//   - ^uint(0) is ~uint64_t(0): Go's uint is 64 bits.
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "export_mpagealloc_test.hpp"

using runtime::BitRange;
using runtime::DiffPallocBits;
using runtime::FindBitRange64;
using runtime::PackPallocSum;
using runtime::PallocBits;
using runtime::PallocChunkPages;
using runtime::PallocSum;
using runtime::StringifyPallocBits;
using runtime::SummarizeSlow;
using gort_test::makePallocBits;

namespace gort_test {

// mpallocbits_test.go:16 at go1.22.12
bool checkPallocBits(const PallocBits* got, const PallocBits* want) {
  std::vector<BitRange> d = DiffPallocBits(got, want);
  if (!d.empty()) {
    std::ostringstream msg;
    msg << d.size() << " range(s) different";
    for (const BitRange& bits : d) {
      msg << "\n\t@ bit index " << bits.I;
      msg << "\n\t|  got: " << StringifyPallocBits(got, bits);
      msg << "\n\t| want: " << StringifyPallocBits(want, bits);
    }
    FAIL_CHECK(msg.str());
    return false;
  }
  return true;
}

// mpallocbits_test.go:32 at go1.22.12
std::unique_ptr<PallocBits> makePallocBits(const std::vector<BitRange>& s) {
  auto b = std::make_unique<PallocBits>();
  for (const BitRange& v : s) b->AllocRange(v.I, v.N);
  return b;
}

}  // namespace gort_test

// Everything below is in an anonymous namespace, where uint is Go's
// (runtime::uint, 64 bits), not glibc's 32-bit ::uint.
namespace {

using runtime::uint;
using runtime::uintptr;
using gort_test::checkPallocBits;

// mpallocbits_test.go:96 at go1.22.12
void invertPallocBits(PallocBits* b) {
  for (uint i = 0; i < PallocBits::len; i++) (*b)[i] = ~(*b)[i];
}

// mpallocbits_test.go:104 at go1.22.12
void checkPallocSum(PallocSum got, PallocSum want) {
  CHECK(got.Start() == want.Start());  // "inconsistent start"
  CHECK(got.Max() == want.Max());      // "inconsistent max"
  CHECK(got.End() == want.End());      // "inconsistent end"
}

// mpallocbits_test.go:43 at go1.22.12
TEST_CASE("TestPallocBitsAllocRange", "[mpallocbits_test.go]") {
  auto test = [](uint i, uint n, const PallocBits* want) {
    checkPallocBits(makePallocBits({{i, n}}).get(), want);
  };
  SECTION("OneLow") {
    auto want = std::make_unique<PallocBits>();
    (*want)[0] = 0x1;
    test(0, 1, want.get());
  }
  SECTION("OneHigh") {
    auto want = std::make_unique<PallocBits>();
    (*want)[PallocChunkPages / 64 - 1] = uint64_t(1) << 63;
    test(PallocChunkPages - 1, 1, want.get());
  }
  SECTION("Inner") {
    auto want = std::make_unique<PallocBits>();
    (*want)[2] = 0x3e;
    test(129, 5, want.get());
  }
  SECTION("Aligned") {
    auto want = std::make_unique<PallocBits>();
    (*want)[2] = ~uint64_t(0);
    (*want)[3] = ~uint64_t(0);
    test(128, 128, want.get());
  }
  SECTION("Begin") {
    auto want = std::make_unique<PallocBits>();
    (*want)[0] = ~uint64_t(0);
    (*want)[1] = ~uint64_t(0);
    (*want)[2] = ~uint64_t(0);
    (*want)[3] = ~uint64_t(0);
    (*want)[4] = ~uint64_t(0);
    (*want)[5] = 0x1;
    test(0, 321, want.get());
  }
  SECTION("End") {
    auto want = std::make_unique<PallocBits>();
    (*want)[PallocChunkPages / 64 - 1] = ~uint64_t(0);
    (*want)[PallocChunkPages / 64 - 2] = ~uint64_t(0);
    (*want)[PallocChunkPages / 64 - 3] = ~uint64_t(0);
    (*want)[PallocChunkPages / 64 - 4] = uint64_t(1) << 63;
    test(PallocChunkPages - (64 * 3 + 1), 64 * 3 + 1, want.get());
  }
  SECTION("All") {
    auto want = std::make_unique<PallocBits>();
    for (uint i = 0; i < PallocBits::len; i++) (*want)[i] = ~uint64_t(0);
    test(0, PallocChunkPages, want.get());
  }
}

// mpallocbits_test.go:116 at go1.22.12
TEST_CASE("TestMallocBitsPopcntRange", "[mpallocbits_test.go]") {
  struct test {
    uint i, n;  // bit range to popcnt over
    uint want;  // expected popcnt result on that range
  };
  struct testSet {
    std::vector<BitRange> init;  // bit ranges to set to 1 in the bitmap
    std::vector<test> tests;     // popcnt tests to run over the bitmap
  };
  std::map<std::string, testSet> tests = {
      {"None",
       {{},
        {
            {0, 1, 0},
            {5, 3, 0},
            {2, 11, 0},
            {PallocChunkPages / 4 + 1, PallocChunkPages / 2, 0},
            {0, PallocChunkPages, 0},
        }}},
      {"All",
       {{{0, PallocChunkPages}},
        {
            {0, 1, 1},
            {5, 3, 3},
            {2, 11, 11},
            {PallocChunkPages / 4 + 1, PallocChunkPages / 2, PallocChunkPages / 2},
            {0, PallocChunkPages, PallocChunkPages},
        }}},
      {"Half",
       {{{PallocChunkPages / 2, PallocChunkPages / 2}},
        {
            {0, 1, 0},
            {5, 3, 0},
            {2, 11, 0},
            {PallocChunkPages / 2 - 1, 1, 0},
            {PallocChunkPages / 2, 1, 1},
            {PallocChunkPages / 2 + 10, 1, 1},
            {PallocChunkPages / 2 - 1, 2, 1},
            {PallocChunkPages / 4, PallocChunkPages / 4, 0},
            {PallocChunkPages / 4, PallocChunkPages / 4 + 1, 1},
            {PallocChunkPages / 4 + 1, PallocChunkPages / 2, PallocChunkPages / 4 + 1},
            {0, PallocChunkPages, PallocChunkPages / 2},
        }}},
      {"OddBound",
       {{{0, 111}},
        {
            {0, 1, 1},
            {5, 3, 3},
            {2, 11, 11},
            {110, 2, 1},
            {99, 50, 12},
            {110, 1, 1},
            {111, 1, 0},
            {99, 1, 1},
            {120, 1, 0},
            {PallocChunkPages / 2, PallocChunkPages / 2, 0},
            {0, PallocChunkPages, 111},
        }}},
      {"Scattered",
       {{
            {1, 3},   {5, 1},   {7, 1},   {10, 2},  {13, 1},  {15, 4},  {21, 1},  {23, 1},
            {26, 2},  {30, 5},  {36, 2},  {40, 3},  {44, 6},  {51, 1},  {53, 2},  {58, 3},
            {63, 1},  {67, 2},  {71, 10}, {84, 1},  {89, 7},  {99, 2},  {103, 1}, {107, 2},
            {111, 1}, {113, 1}, {115, 1}, {118, 1}, {120, 2}, {125, 5},
        },
        {
            {0, 11, 6},
            {0, 64, 39},
            {13, 64, 40},
            {64, 64, 34},
            {0, 128, 73},
            {1, 128, 74},
            {0, PallocChunkPages, 75},
        }}},
  };
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      auto b = makePallocBits(v.init);
      for (const test& h : v.tests) {
        INFO("bad popcnt (i=" << h.i << ", n=" << h.n << ")");
        CHECK(b->PopcntRange(h.i, h.n) == h.want);
      }
    }
  }
}

// mpallocbits_test.go:210 at go1.22.12
TEST_CASE("TestPallocBitsSummarizeRandom", "[mpallocbits_test.go]") {
  auto b = std::make_unique<PallocBits>();
  for (int i = 0; i < 1000; i++) {
    // A random bitmap, checked against the reference summary.
    for (uint j = 0; j < PallocBits::len; j++) (*b)[j] = runtime::testRand()();
    checkPallocSum(b->Summarize(), SummarizeSlow(b.get()));
  }
}

// mpallocbits_test.go:223 at go1.22.12
TEST_CASE("TestPallocBitsSummarize", "[mpallocbits_test.go]") {
  PallocSum emptySum = PackPallocSum(PallocChunkPages, PallocChunkPages, PallocChunkPages);
  struct test {
    std::vector<BitRange> free;  // ranges of free (zero) bits
    std::vector<PallocSum> hits;
  };
  std::map<std::string, test> tests;
  tests["NoneFree"] = test{{}, {PackPallocSum(0, 0, 0)}};
  tests["OnlyStart"] = test{{{0, 10}}, {PackPallocSum(10, 10, 0)}};
  tests["OnlyEnd"] = test{{{PallocChunkPages - 40, 40}}, {PackPallocSum(0, 40, 40)}};
  tests["StartAndEnd"] = test{{{0, 11}, {PallocChunkPages - 23, 23}}, {PackPallocSum(11, 23, 23)}};
  tests["StartMaxEnd"] =
      test{{{0, 4}, {50, 100}, {PallocChunkPages - 4, 4}}, {PackPallocSum(4, 100, 4)}};
  tests["OnlyMax"] =
      test{{{1, 20}, {35, 241}, {PallocChunkPages - 50, 30}}, {PackPallocSum(0, 241, 0)}};
  tests["MultiMax"] = test{{{35, 2}, {40, 5}, {100, 5}}, {PackPallocSum(0, 5, 0)}};
  tests["One"] = test{{{2, 1}}, {PackPallocSum(0, 1, 0)}};
  tests["AllFree"] = test{{{0, PallocChunkPages}}, {emptySum}};
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      auto b = makePallocBits(v.free);
      // The table marks free pages with 1s; a real bitmap uses 0s.
      invertPallocBits(b.get());
      for (const PallocSum& h : v.hits) checkPallocSum(b->Summarize(), h);
    }
  }
}

// mpallocbits_test.go:331 at go1.22.12
TEST_CASE("TestPallocBitsAlloc", "[mpallocbits_test.go]") {
  struct test {
    std::vector<BitRange> before;
    std::vector<BitRange> after;
    uintptr npages;
    std::vector<uint> hits;
  };
  const uint none = ~uint(0);
  std::map<std::string, test> tests = {
      {"AllFree1", {{}, {{0, 6}}, 1, {0, 1, 2, 3, 4, 5}}},
      {"AllFree2", {{}, {{0, 12}}, 2, {0, 2, 4, 6, 8, 10}}},
      {"AllFree5", {{}, {{0, 25}}, 5, {0, 5, 10, 15, 20}}},
      {"AllFree64", {{}, {{0, 192}}, 64, {0, 64, 128}}},
      {"AllFree65", {{}, {{0, 195}}, 65, {0, 65, 130}}},
      {"SomeFree64",
       {{{0, 32}, {64, 32}, {100, PallocChunkPages - 100}},
        {{0, 32}, {64, 32}, {100, PallocChunkPages - 100}},
        64,
        {none}}},
      {"NoneFree1", {{{0, PallocChunkPages}}, {{0, PallocChunkPages}}, 1, {none, none}}},
      {"NoneFree2", {{{0, PallocChunkPages}}, {{0, PallocChunkPages}}, 2, {none, none}}},
      {"NoneFree5", {{{0, PallocChunkPages}}, {{0, PallocChunkPages}}, 5, {none, none}}},
      {"NoneFree65", {{{0, PallocChunkPages}}, {{0, PallocChunkPages}}, 65, {none, none}}},
      {"ExactFit1",
       {{{0, PallocChunkPages / 2 - 3}, {PallocChunkPages / 2 - 2, PallocChunkPages / 2 + 2}},
        {{0, PallocChunkPages}},
        1,
        {PallocChunkPages / 2 - 3, none}}},
      {"ExactFit2",
       {{{0, PallocChunkPages / 2 - 3}, {PallocChunkPages / 2 - 1, PallocChunkPages / 2 + 1}},
        {{0, PallocChunkPages}},
        2,
        {PallocChunkPages / 2 - 3, none}}},
      {"ExactFit5",
       {{{0, PallocChunkPages / 2 - 3}, {PallocChunkPages / 2 + 2, PallocChunkPages / 2 - 2}},
        {{0, PallocChunkPages}},
        5,
        {PallocChunkPages / 2 - 3, none}}},
      {"ExactFit65",
       {{{0, PallocChunkPages / 2 - 31}, {PallocChunkPages / 2 + 34, PallocChunkPages / 2 - 34}},
        {{0, PallocChunkPages}},
        65,
        {PallocChunkPages / 2 - 31, none}}},
      {"SomeFree161", {{{0, 185}, {331, 1}}, {{0, 185}, {331, 162}}, 161, {332}}},
  };
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      auto b = makePallocBits(v.before);
      int iter = 0;
      for (uint i : v.hits) {
        iter++;
        auto [a, _] = b->Find(v.npages, 0);
        INFO("find #" << iter << " picked wrong index");
        REQUIRE(a == i);
        if (i != none) b->AllocRange(a, uint(v.npages));
      }
      auto want = makePallocBits(v.after);
      checkPallocBits(b.get(), want.get());
    }
  }
}

// mpallocbits_test.go:444 at go1.22.12
TEST_CASE("TestPallocBitsFree", "[mpallocbits_test.go]") {
  struct test {
    std::vector<BitRange> beforeInv;
    std::vector<BitRange> afterInv;
    std::vector<uint> frees;
    uintptr npages;
  };
  std::map<std::string, test> tests = {
      {"SomeFree", {{{0, 32}, {64, 32}, {100, 1}}, {{0, 33}, {64, 32}, {100, 1}}, {32}, 1}},
      {"NoneFree1", {{}, {{0, 6}}, {0, 1, 2, 3, 4, 5}, 1}},
      {"NoneFree2", {{}, {{0, 12}}, {0, 2, 4, 6, 8, 10}, 2}},
      {"NoneFree5", {{}, {{0, 25}}, {0, 5, 10, 15, 20}, 5}},
      {"NoneFree64", {{}, {{0, 192}}, {0, 64, 128}, 64}},
      {"NoneFree65", {{}, {{0, 195}}, {0, 65, 130}, 65}},
  };
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      auto b = makePallocBits(v.beforeInv);
      invertPallocBits(b.get());
      for (uint i : v.frees) b->Free(i, uint(v.npages));
      auto want = makePallocBits(v.afterInv);
      invertPallocBits(want.get());
      checkPallocBits(b.get(), want.get());
    }
  }
}

// mpallocbits_test.go:498 at go1.22.12
TEST_CASE("TestFindBitRange64", "[mpallocbits_test.go]") {
  auto check = [](uint64_t x, uint n, uint result) {
    uint i = FindBitRange64(x, n);
    INFO("case (" << std::hex << x << std::dec << ", " << n << "): got " << i);
    if (result == ~uint(0)) {
      CHECK(i >= 64);  // want failure
    } else {
      CHECK(i == result);
    }
  };
  for (uint i = 1; i <= 64; i++) check(~uint64_t(0), i, 0);
  for (uint i = 1; i <= 64; i++) check(0, i, ~uint(0));
  check(0x8000000000000000, 1, 63);
  check(0xc000010001010000, 2, 62);
  check(0xc000010001030000, 2, 16);
  check(0xe000030001030000, 3, 61);
  check(0xe000030001070000, 3, 16);
  check(0xffff03ff01070000, 16, 48);
  check(0xffff03ff0107ffff, 16, 0);
  check(0x0fff03ff01079fff, 16, ~uint(0));
}

}  // namespace
