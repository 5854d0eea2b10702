// mgcscavenge_test.cpp: the scavenger tests of go1.22.12
// runtime/mgcscavenge_test.go, translated test by test, every table entry
// kept (translation rules: mpallocbits_test.cpp; test allocators:
// mpagealloc_test.cpp). TestScavenger drives a background scavenger of its
// own (export_test's Scavenger, tests/export_mgcscavenge_test.cpp);
// FuzzPIController is a fuzz target, outside the inventory of Test and
// Benchmark functions.
#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "export_mpagealloc_test.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "runtime.hpp"
#include "slice.hpp"
#include "time/time.hpp"

// Everything is in an anonymous namespace, where uint is Go's (runtime::uint,
// 64 bits), not glibc's 32-bit ::uint.
namespace {

using gort_test::checkPageAlloc;
using gort_test::ChunkMap;
using gort_test::pageAllocPtr;
using runtime::BaseChunkIdx;
using runtime::BitRange;
using runtime::CheckPackScavChunkData;
using runtime::ChunkIdx;
using runtime::FillAligned;
using runtime::NewPageAlloc;
using runtime::NewScavengeIndex;
using runtime::PageAlloc64Bit;
using runtime::PageBase;
using runtime::PageSize;
using runtime::PallocChunkPages;
using runtime::PallocData;
using runtime::PhysHugePageSize;
using runtime::PhysPageSize;
using runtime::uint;
using runtime::uintptr;

// Go's x << s for a uint64: 0 once s reaches 64 (C++ leaves that undefined).
uint64_t shl(uint64_t x, uint s) { return s < 64 ? x << s : 0; }

std::string bin64(uint64_t x) {
  std::string s;
  for (int i = 63; i >= 0; i--) s += ((x >> i) & 1) != 0 ? '1' : '0';
  return s;
}

// mgcscavenge_test.go:20 at go1.22.12
std::unique_ptr<PallocData> makePallocData(const std::vector<BitRange>& alloc,
                                           const std::vector<BitRange>& scavenged) {
  auto b = std::make_unique<PallocData>();
  for (const BitRange& v : alloc) {
    // allocRange cannot take N == 0, which means nothing anyway.
    if (v.N == 0) continue;
    b->AllocRange(v.I, v.N);
  }
  for (const BitRange& v : scavenged) {
    if (v.N == 0) continue;
    b->ScavengedSetRange(v.I, v.N);
  }
  return b;
}

// mgcscavenge_test.go:40 at go1.22.12
TEST_CASE("TestFillAligned", "[mgcscavenge_test.go]") {
  auto fillAlignedSlow = [](uint64_t x, uint m) -> uint64_t {
    if (m == 1) return x;
    uint64_t out = 0;
    for (uint i = 0; i < 64; i += m) {
      for (uint j = 0; j < m; j++) {
        if ((x & (uint64_t(1) << (i + j))) != 0) {
          out |= (shl(1, m) - 1) << i;
          break;
        }
      }
    }
    return out;
  };
  auto check = [&](uint64_t x, uint m) {
    uint64_t want = fillAlignedSlow(x, m);
    uint64_t got = FillAligned(x, m);
    if (got != want) {
      FAIL_CHECK("bad fillAligned(" << std::hex << x << std::dec << ", " << m << ")\ngot:  " << bin64(got)
                                    << "\nwant: " << bin64(want));
    }
  };
  auto& rnd = runtime::testRand();
  for (uint m = 1; m <= 64; m *= 2) {
    std::vector<uint64_t> tests = {
        0x0000000000000000,
        0x00000000ffffffff,
        0xffffffff00000000,
        0x8000000000000001,
        0xf00000000000000f,
        0xf00000010050000f,
        0xffffffffffffffff,
        0x0000000000000001,
        0x0000000000000002,
        0x0000000000000008,
        shl(1, m - 1),
        shl(1, m),
        // A few fixed arbitrary words.
        0xb02b9effcf137016,
        0x3975a076a9fbff18,
        0x0f8c88ec3b81506e,
        0x60f14d80ef2fa0e6,
    };
    for (uint64_t test : tests) check(test, m);
    for (int i = 0; i < 1000; i++) {
      // Random words.
      check(rnd(), m);

      if (m > 1) {
        // Words where each group of m bits is either zero or random.
        uint64_t val = 0;
        for (uint n = 0; n < 64; n += m) {
          if (rnd() % 2 == 0) val |= (rnd() & (shl(1, m) - 1)) << n;
        }
        check(val, m);
      }
    }
  }
}

// mgcscavenge_test.go:110 at go1.22.12
TEST_CASE("TestPallocDataFindScavengeCandidate", "[mgcscavenge_test.go]") {
  struct test {
    std::vector<BitRange> alloc, scavenged;
    uintptr min, max;
    BitRange want;
  };
  std::map<std::string, test> tests = {
      {"MixedMin1",
       {
           .alloc = {{0, 40}, {42, PallocChunkPages - 42}},
           .scavenged = {{0, 41}, {42, PallocChunkPages - 42}},
           .min = 1,
           .max = PallocChunkPages,
           .want = BitRange{41, 1},
       }},
      {"MultiMin1",
       {
           .alloc = {{0, 63}, {65, 20}, {87, PallocChunkPages - 87}},
           .scavenged = {{86, 1}},
           .min = 1,
           .max = PallocChunkPages,
           .want = BitRange{85, 1},
       }},
  };
  // Every page minimum.
  for (uintptr m = 1; m <= 64; m *= 2) {
    std::string suffix = "Min" + std::to_string(m);
    tests["AllFree" + suffix] = test{
        .min = m,
        .max = PallocChunkPages,
        .want = BitRange{0, PallocChunkPages},
    };
    tests["AllScavenged" + suffix] = test{
        .scavenged = {{0, PallocChunkPages}},
        .min = m,
        .max = PallocChunkPages,
        .want = BitRange{0, 0},
    };
    tests["NoneFree" + suffix] = test{
        .alloc = {{0, PallocChunkPages}},
        .scavenged = {{PallocChunkPages / 2, PallocChunkPages / 2}},
        .min = m,
        .max = PallocChunkPages,
        .want = BitRange{0, 0},
    };
    tests["StartFree" + suffix] = test{
        .alloc = {{uint(m), PallocChunkPages - uint(m)}},
        .min = m,
        .max = PallocChunkPages,
        .want = BitRange{0, uint(m)},
    };
    tests["EndFree" + suffix] = test{
        .alloc = {{0, PallocChunkPages - uint(m)}},
        .min = m,
        .max = PallocChunkPages,
        .want = BitRange{PallocChunkPages - uint(m), uint(m)},
    };
    tests["Straddle64" + suffix] = test{
        .alloc = {{0, 64 - uint(m)}, {64 + uint(m), PallocChunkPages - (64 + uint(m))}},
        .min = m,
        .max = 2 * m,
        .want = BitRange{64 - uint(m), 2 * uint(m)},
    };
    tests["BottomEdge64WithFull" + suffix] = test{
        .alloc = {{64, 64}, {128 + 3 * uint(m), PallocChunkPages - (128 + 3 * uint(m))}},
        .scavenged = {{1, 10}},
        .min = m,
        .max = 3 * m,
        .want = BitRange{128, 3 * uint(m)},
    };
    tests["BottomEdge64WithPocket" + suffix] = test{
        .alloc = {{64, 62}, {127, 1}, {128 + 3 * uint(m), PallocChunkPages - (128 + 3 * uint(m))}},
        .scavenged = {{1, 10}},
        .min = m,
        .max = 3 * m,
        .want = BitRange{128, 3 * uint(m)},
    };
    tests["Max0" + suffix] = test{
        .scavenged = {{0, PallocChunkPages - uint(m)}},
        .min = m,
        .max = 0,
        .want = BitRange{PallocChunkPages - uint(m), uint(m)},
    };
    if (m <= 8) {
      tests["OneFree"] = test{
          .alloc = {{0, 40}, {40 + uint(m), PallocChunkPages - (40 + uint(m))}},
          .min = m,
          .max = PallocChunkPages,
          .want = BitRange{40, uint(m)},
      };
      tests["OneScavenged"] = test{
          .alloc = {{0, 40}, {40 + uint(m), PallocChunkPages - (40 + uint(m))}},
          .scavenged = {{40, 1}},
          .min = m,
          .max = PallocChunkPages,
          .want = BitRange{0, 0},
      };
    }
    if (m > 1) {
      tests["MaxUnaligned" + suffix] = test{
          .scavenged = {{0, PallocChunkPages - uint(m * 2 - 1)}},
          .min = m,
          .max = m - 2,
          .want = BitRange{PallocChunkPages - uint(m), uint(m)},
      };
      tests["SkipSmall" + suffix] = test{
          .alloc = {{0, 64 - uint(m)}, {64, 5}, {70, 11}, {82, PallocChunkPages - 82}},
          .min = m,
          .max = m,
          .want = BitRange{64 - uint(m), uint(m)},
      };
      tests["SkipMisaligned" + suffix] = test{
          .alloc = {{0, 64 - uint(m)}, {64, 63}, {127 + uint(m), PallocChunkPages - (127 + uint(m))}},
          .min = m,
          .max = m,
          .want = BitRange{64 - uint(m), uint(m)},
      };
      tests["MaxLessThan" + suffix] = test{
          .scavenged = {{0, PallocChunkPages - uint(m)}},
          .min = m,
          .max = 1,
          .want = BitRange{PallocChunkPages - uint(m), uint(m)},
      };
    }
  }
  if (PhysHugePageSize() > uintptr(PageSize)) {
    // Huge pages are not to be split.
    uint bits = uint(PhysHugePageSize() / uintptr(PageSize));
    if (bits < PallocChunkPages) {
      tests["PreserveHugePageBottom"] = test{
          .alloc = {{bits + 2, PallocChunkPages - (bits + 2)}},
          .min = 1,
          .max = 3,  // max alone would split the huge page
          .want = BitRange{0, bits + 2},
      };
      if (3 * bits < PallocChunkPages) {
        // Only with at least 3 huge pages in a chunk.
        tests["PreserveHugePageMiddle"] = test{
            .alloc = {{0, bits - 10}, {2 * bits + 10, PallocChunkPages - (2 * bits + 10)}},
            .min = 1,
            .max = 12,  // max alone would split the huge page
            .want = BitRange{bits, bits + 10},
        };
      }
      tests["PreserveHugePageTop"] = test{
          .alloc = {{0, PallocChunkPages - bits}},
          .min = 1,
          .max = 1,  // even one page would split the huge page
          .want = BitRange{PallocChunkPages - bits, bits},
      };
    } else if (bits == PallocChunkPages) {
      tests["PreserveHugePageAll"] = test{
          .min = 1,
          .max = 1,  // even one page would split the huge page
          .want = BitRange{0, PallocChunkPages},
      };
    } else {
      // A huge page larger than a chunk cannot be scavenged whole from one
      // chunk's bitmap, so the rule has no effect.
      tests["PreserveHugePageNone"] = test{
          .min = 1,
          .max = 1,
          .want = BitRange{PallocChunkPages - 1, 1},
      };
    }
  }
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      auto b = makePallocData(v.alloc, v.scavenged);
      auto [start, size] = b->FindScavengeCandidate(PallocChunkPages - 1, v.min, v.max);
      BitRange got{start, size};
      if (!(got.N == 0 && v.want.N == 0) && got != v.want) {
        FAIL("candidate mismatch: got {" << got.I << " " << got.N << "}, want {" << v.want.I << " "
                                         << v.want.N << "}");
      }
    }
  }
}

// mgcscavenge_test.go:289 at go1.22.12
TEST_CASE("TestPageAllocScavenge", "[mgcscavenge_test.go]") {
  struct test {
    uintptr request, expect;
  };
  uintptr minPages = PhysPageSize() / PageSize;
  if (minPages < 1) minPages = 1;
  struct setup {
    ChunkMap beforeAlloc;
    ChunkMap beforeScav;
    std::vector<test> expect;
    ChunkMap afterScav;
  };
  std::map<std::string, setup> tests = {
    {"AllFreeUnscavExhaust", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {}},
      },
      .expect = {
        {~uintptr(0), 3 * PallocChunkPages * PageSize},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
    }},
    {"NoneFreeUnscavExhaust", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
      .beforeScav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {}},
      },
      .expect = {
        {~uintptr(0), 0},
      },
      .afterScav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {}},
      },
    }},
    {"ScavHighestPageFirst", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{uint(minPages), PallocChunkPages - uint(2*minPages)}}},
      },
      .expect = {
        {1, minPages * PageSize},
      },
      .afterScav = {
        {BaseChunkIdx, {{uint(minPages), PallocChunkPages - uint(minPages)}}},
      },
    }},
    {"ScavMultiple", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{uint(minPages), PallocChunkPages - uint(2*minPages)}}},
      },
      .expect = {
        {minPages * PageSize, minPages * PageSize},
        {minPages * PageSize, minPages * PageSize},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
    }},
    {"ScavMultiple2", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{uint(minPages), PallocChunkPages - uint(2*minPages)}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages - uint(2*minPages)}}},
      },
      .expect = {
        {2 * minPages * PageSize, 2 * minPages * PageSize},
        {minPages * PageSize, minPages * PageSize},
        {minPages * PageSize, minPages * PageSize},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
    }},
    {"ScavDiscontiguous", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 0xe, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{uint(minPages), PallocChunkPages - uint(2*minPages)}}},
        {BaseChunkIdx + 0xe, {{uint(2 * minPages), PallocChunkPages - uint(2*minPages)}}},
      },
      .expect = {
        {2 * minPages * PageSize, 2 * minPages * PageSize},
        {~uintptr(0), 2 * minPages * PageSize},
        {~uintptr(0), 0},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xe, {{0, PallocChunkPages}}},
      },
    }},
  };
  // Go leaves this one out on iOS (a small address space).
  if (PageAlloc64Bit != 0) {
    tests["ScavAllVeryDiscontiguous"] = setup{
      .beforeAlloc = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 0x1000, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 0x1000, {}},
      },
      .expect = {
        {~uintptr(0), 2 * PallocChunkPages * PageSize},
        {~uintptr(0), 0},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0x1000, {{0, PallocChunkPages}}},
      },
    };
  }
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      pageAllocPtr b(NewPageAlloc(v.beforeAlloc, v.beforeScav));

      int iter = 0;
      for (const test& h : v.expect) {
        iter++;
        uintptr got = b->Scavenge(h.request);
        INFO("bad scavenge #" << iter << ": want " << h.expect << ", got " << got);
        REQUIRE(got == h.expect);
      }
      pageAllocPtr want(NewPageAlloc(v.beforeAlloc, v.afterScav));

      checkPageAlloc(want.get(), b.get());
    }
  }
}

// mgcscavenge_test.go:456 at go1.22.12
//
// The background scavenger against stub work: it must do all the work
// offered, stop where ShouldStop says, go back to sleep with none, and keep
// its CPU use at scavengePercent (worked / (worked + slept), where each
// 4 KiB of work counts 10us and the sleeps are only counted).
TEST_CASE("TestScavenger", "[mgcscavenge_test.go]") {
  auto workedTime = [](uintptr bytes) -> int64_t { return int64_t((bytes + 4095) / 4096) * int64_t(10 * 1000); };
  uint64_t totalWork = uint64_t((64 << 20) - 3 * PhysPageSize());
  std::atomic<int64_t> totalSlept{0}, totalWorked{0};
  std::atomic<uint64_t> availableWork{0};
  std::atomic<uint64_t> stopAt{0};  // how much available work to stop at

  runtime::Scavenger s;
  s.Sleep = [&](int64_t ns) {
    totalSlept.fetch_add(ns);
    return ns;
  };
  s.Scavenge = [&](uintptr bytes) -> std::tuple<uintptr, int64_t> {
    uint64_t avail = availableWork.load();
    if (uint64_t(bytes) > avail) bytes = uintptr(avail);
    int64_t t = workedTime(bytes);
    if (bytes != 0) {
      availableWork.fetch_sub(bytes);
      totalWorked.fetch_add(t);
    }
    return {bytes, t};
  };
  s.ShouldStop = [&] { return availableWork.load() <= stopAt.load(); };
  s.GoMaxProcs = [] { return int32_t(1); };

  // What must hold after each run.
  auto verifyScavengerState = [&](uint64_t expWork) {
    uint64_t workDone = uint64_t(s.Released());
    CHECK(workDone == expWork);  // bytes of work done
    double idealFraction = double(runtime::ScavengePercent) / 100.0;
    double cpuFraction = double(totalWorked.load()) / double(totalWorked.load() + totalSlept.load());
    INFO("want " << idealFraction << " CPU fraction, got " << cpuFraction);
    CHECK(cpuFraction >= idealFraction - 0.005);
    CHECK(cpuFraction <= idealFraction + 0.005);
  };

  s.Start();

  // Work, run to the end.
  availableWork.store(totalWork);
  s.Wake();
  if (!s.BlockUntilParked(2000000000)) FAIL("timed out waiting for scavenger to run to completion");
  verifyScavengerState(totalWork);

  // No work: straight back to sleep.
  s.Wake();
  if (!s.BlockUntilParked(2000000000)) FAIL("timed out waiting for scavenger to run to completion");
  verifyScavengerState(totalWork);

  // As much work as the first time: it must go on.
  availableWork.store(totalWork);
  s.Wake();
  if (!s.BlockUntilParked(2000000000)) FAIL("timed out waiting for scavenger to run to completion");
  verifyScavengerState(2 * totalWork);

  // Stop part way. The stopping point leaves a multiple of a large power
  // of two of work done, so that the exact check holds (Go's note).
  availableWork.store(totalWork);
  uint64_t stoppingPoint = uint64_t((1 << 20) - 3 * PhysPageSize());
  stopAt.store(stoppingPoint);
  s.Wake();
  if (!s.BlockUntilParked(2000000000)) FAIL("timed out waiting for scavenger to run to completion");
  verifyScavengerState(2 * totalWork + (totalWork - stoppingPoint));

  s.Stop();
}

// mgcscavenge_test.go:566 at go1.22.12
TEST_CASE("TestScavengeIndex", "[mgcscavenge_test.go]") {
  // mark makes the pages [base, limit) available to scavenge in a test index.
  using markFunc = std::function<void(uintptr base, uintptr limit)>;

  // find asks the index for the next page to scavenge and checks that it is
  // page offset of chunk ci.
  using findFunc = std::function<void(ChunkIdx ci, uint offset)>;

  // setup makes a fresh index in which every chunk was dense in the last
  // generation and has nothing to scavenge, and returns mark, find and
  // nextGen over it. Each test case marks some pages and then finds them;
  // a few interleave the two.
  struct funcs {
    markFunc mark;
    findFunc find;
    std::function<void()> nextGen;
  };
  auto setup = [](bool force) {
    // A small range of chunks is enough.
    std::shared_ptr<runtime::ScavengeIndex> si = NewScavengeIndex(BaseChunkIdx, BaseChunkIdx + 64);

    // Every chunk dense, and empty to the scavenger; the cursors reset so
    // that page offsets can be found.
    si->AllocRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 64, 0));
    si->NextGen();
    si->FreeRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 64, 0));
    for (ChunkIdx ci = BaseChunkIdx; ci < BaseChunkIdx + 64; ci++) si->SetEmpty(ci);
    si->ResetSearchAddrs();

    funcs f;
    f.mark = [si](uintptr base, uintptr limit) {
      si->AllocRange(base, limit);
      si->FreeRange(base, limit);
    };
    f.find = [si, force](ChunkIdx want, uint wantOffset) {
      auto [got, gotOffset] = si->Find(force);
      CHECK(uint64_t(want) == uint64_t(got));  // "find: wanted chunk index"
      CHECK(wantOffset == gotOffset);          // "find: wanted page offset"
      if (uint64_t(want) != uint64_t(got) || wantOffset != gotOffset) FAIL();
      si->SetEmpty(got);
    };
    f.nextGen = [si]() { si->NextGen(); };
    return f;
  };

  // Each test case calls mark, then find.
  struct testCase {
    std::string name;
    std::function<void(const markFunc&)> mark;
    std::function<void(const findFunc&)> find;
  };
  std::vector<testCase> cases = {
      {
          "Uninitialized",
          [](const markFunc&) {},
          [](const findFunc&) {},
      },
      {
          "OnePage",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 3), PageBase(BaseChunkIdx, 4)); },
          [](const findFunc& find) { find(BaseChunkIdx, 3); },
      },
      {
          "FirstPage",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx, 1)); },
          [](const findFunc& find) { find(BaseChunkIdx, 0); },
      },
      {
          "SeveralPages",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 9), PageBase(BaseChunkIdx, 14)); },
          [](const findFunc& find) { find(BaseChunkIdx, 13); },
      },
      {
          "WholeChunk",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 1, 0)); },
          [](const findFunc& find) { find(BaseChunkIdx, PallocChunkPages - 1); },
      },
      {
          "LastPage",
          [](const markFunc& mark) {
            mark(PageBase(BaseChunkIdx, PallocChunkPages - 1), PageBase(BaseChunkIdx + 1, 0));
          },
          [](const findFunc& find) { find(BaseChunkIdx, PallocChunkPages - 1); },
      },
      {
          "TwoChunks",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 128), PageBase(BaseChunkIdx + 1, 128)); },
          [](const findFunc& find) {
            find(BaseChunkIdx + 1, 127);
            find(BaseChunkIdx, PallocChunkPages - 1);
          },
      },
      {
          "TwoChunksOffset",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx + 7, 128), PageBase(BaseChunkIdx + 8, 129)); },
          [](const findFunc& find) {
            find(BaseChunkIdx + 8, 128);
            find(BaseChunkIdx + 7, PallocChunkPages - 1);
          },
      },
      {
          "SevenChunksOffset",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx + 6, 11), PageBase(BaseChunkIdx + 13, 15)); },
          [](const findFunc& find) {
            find(BaseChunkIdx + 13, 14);
            for (ChunkIdx i = BaseChunkIdx + 12; i >= BaseChunkIdx + 6; i--) find(i, PallocChunkPages - 1);
          },
      },
      {
          "ThirtyTwoChunks",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 32, 0)); },
          [](const findFunc& find) {
            for (ChunkIdx i = BaseChunkIdx + 31; i >= BaseChunkIdx; i--) find(i, PallocChunkPages - 1);
          },
      },
      {
          "ThirtyTwoChunksOffset",
          [](const markFunc& mark) { mark(PageBase(BaseChunkIdx + 3, 0), PageBase(BaseChunkIdx + 35, 0)); },
          [](const findFunc& find) {
            for (ChunkIdx i = BaseChunkIdx + 34; i >= BaseChunkIdx + 3; i--) find(i, PallocChunkPages - 1);
          },
      },
      {
          "Mark",
          [](const markFunc& mark) {
            for (ChunkIdx i = BaseChunkIdx; i < BaseChunkIdx + 32; i++) mark(PageBase(i, 0), PageBase(i + 1, 0));
          },
          [](const findFunc& find) {
            for (ChunkIdx i = BaseChunkIdx + 31; i >= BaseChunkIdx; i--) find(i, PallocChunkPages - 1);
          },
      },
      {
          "MarkIdempotentOneChunk",
          [](const markFunc& mark) {
            mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 1, 0));
            mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 1, 0));
          },
          [](const findFunc& find) { find(BaseChunkIdx, PallocChunkPages - 1); },
      },
      {
          "MarkIdempotentThirtyTwoChunks",
          [](const markFunc& mark) {
            mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 32, 0));
            mark(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx + 32, 0));
          },
          [](const findFunc& find) {
            for (ChunkIdx i = BaseChunkIdx + 31; i >= BaseChunkIdx; i--) find(i, PallocChunkPages - 1);
          },
      },
      {
          "MarkIdempotentThirtyTwoChunksOffset",
          [](const markFunc& mark) {
            mark(PageBase(BaseChunkIdx + 4, 0), PageBase(BaseChunkIdx + 31, 0));
            mark(PageBase(BaseChunkIdx + 5, 0), PageBase(BaseChunkIdx + 36, 0));
          },
          [](const findFunc& find) {
            for (ChunkIdx i = BaseChunkIdx + 35; i >= BaseChunkIdx + 4; i--) find(i, PallocChunkPages - 1);
          },
      },
  };
  for (const testCase& test : cases) {
    DYNAMIC_SECTION("Bg/" << test.name) {
      funcs f = setup(false);
      test.mark(f.mark);
      f.find(0, 0);       // nothing to find yet
      f.nextGen();        // the next generation
      test.find(f.find);  // now the marked pages are found
      f.find(0, 0);       // and the index is exhausted
    }
    DYNAMIC_SECTION("Force/" << test.name) {
      funcs f = setup(true);
      test.mark(f.mark);
      test.find(f.find);  // forced, the marked pages are found at once
      f.find(0, 0);       // and the index is exhausted
    }
  }
  SECTION("Bg/MarkInterleaved") {
    funcs f = setup(false);
    for (ChunkIdx i = BaseChunkIdx; i < BaseChunkIdx + 32; i++) {
      f.mark(PageBase(i, 0), PageBase(i + 1, 0));
      f.nextGen();
      f.find(i, PallocChunkPages - 1);
    }
    f.find(0, 0);
  }
  SECTION("Force/MarkInterleaved") {
    funcs f = setup(true);
    for (ChunkIdx i = BaseChunkIdx; i < BaseChunkIdx + 32; i++) {
      f.mark(PageBase(i, 0), PageBase(i + 1, 0));
      f.find(i, PallocChunkPages - 1);
    }
    f.find(0, 0);
  }
}

// mgcscavenge_test.go:832 at go1.22.12
TEST_CASE("TestScavChunkDataPack", "[mgcscavenge_test.go]") {
  CHECK(CheckPackScavChunkData(1918237402, 512, 512, 0b11));   // "failed pack/unpack check for scavChunkData 1"
  CHECK(CheckPackScavChunkData(~uint32_t(0), 12, 0, 0b00));    // "failed pack/unpack check for scavChunkData 2"
}

}  // namespace

// --- The port's own checks of the background scavenger ([gort]) ------------

namespace {

/// burst: 64 MiB in 64 KiB objects, dropped on return.
__attribute__((noinline)) void burst() {
  auto keep = gort::make<gort::slice<uint8_t>>(1024);
  for (int i = 0; i < gort::len(keep); i++) keep[i] = gort::make<uint8_t>(64 << 10);
  runtime::KeepAlive(keep);
}

/// clearScavStack: zero the stack below the caller, so that no word a
/// returned frame left there keeps the burst (the stacks are scanned
/// conservatively).
__attribute__((noinline)) void clearScavStack() {
  volatile uint8_t buf[32 << 10];
  for (auto& b : buf) b = 0;
}

}  // namespace

// The background scavenger (bgscavenge) returns the pages of a burst that
// was dropped: after the collections that free it (and the generation that
// lets the scavenger past the chunks that were dense), HeapReleased grows
// without anyone calling FreeOSMemory. Paced at 1% of a CPU, it releases a
// few MiB per round and sleeps about a second between rounds at first, so
// the test waits for 8 MiB, for at most 20 seconds (it usually takes one
// round: tens of milliseconds).
TEST_CASE("gort: the background scavenger releases a dropped burst", "[gort][mgcscavenge]") {
  gort_test::GOMAXPROCSGuard guard(2);
  burst();
  // Released so far, before the burst is collected (the heap does not grow
  // after this, so no allocation scavenges eagerly).
  runtime::MemStats before;
  runtime::ReadMemStats(&before);
  clearScavStack();
  for (int i = 0; i < 3; i++) runtime::GC();
  runtime::MemStats now = before;
  auto start = gort::time::Now();
  while (gort::time::Since(start) < 20 * gort::time::Second) {
    gort::time::Sleep(50 * gort::time::Millisecond);
    runtime::ReadMemStats(&now);
    if (now.HeapReleased >= before.HeapReleased + (8 << 20)) break;
  }
  INFO("HeapReleased " << before.HeapReleased << " -> " << now.HeapReleased << " in "
                       << gort::time::DurationString(gort::time::Since(start)) << "; HeapIdle " << now.HeapIdle);
  CHECK(now.HeapReleased >= before.HeapReleased + (8 << 20));
}
