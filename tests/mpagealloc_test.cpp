// mpagealloc_test.cpp: the page allocator tests of go1.22.12
// runtime/mpagealloc_test.go, translated test by test, every table entry
// kept (translation rules: mpallocbits_test.cpp). Each test builds test
// page allocators with NewPageAlloc (export_mpagealloc_test.hpp): their heap
// addresses, from BaseChunkIdx up, are fictitious; only the allocator's
// metadata is mapped. Go skips these tests on openbsd under -short (its
// virtual memory is limited); Linux has no such limit.
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "export_mpagealloc_test.hpp"

namespace gort_test {

// mpagealloc_test.go:14 at go1.22.12
void checkPageAlloc(runtime::PageAlloc* want, runtime::PageAlloc* got) {
  // The bounds first.
  auto [wantStart, wantEnd] = want->Bounds();
  auto [gotStart, gotEnd] = got->Bounds();
  INFO("start values: got " << uint64_t(gotStart) << ", want " << uint64_t(wantStart));
  REQUIRE(uint64_t(gotStart) == uint64_t(wantStart));
  INFO("end values: got " << uint64_t(gotEnd) << ", want " << uint64_t(wantEnd));
  REQUIRE(uint64_t(gotEnd) == uint64_t(wantEnd));

  for (runtime::ChunkIdx i = gotStart; i < gotEnd; i++) {
    // The bitmaps; either may be missing (an unmapped block).
    runtime::PallocData* gb = got->PallocData(i);
    runtime::PallocData* wb = want->PallocData(i);
    if (gb == nullptr && wb == nullptr) continue;
    if ((gb == nullptr) != (wb == nullptr)) {
      FAIL_CHECK("chunk " << uint64_t(i) << " nilness mismatch");
      continue;  // Go goes on and dereferences the nil one
    }
    {
      INFO("in chunk " << uint64_t(i) << " (mallocBits)");
      checkPallocBits(gb->PallocBits(), wb->PallocBits());
    }
    {
      INFO("in chunk " << uint64_t(i) << " (scavenged)");
      checkPallocBits(gb->Scavenged(), wb->Scavenged());
    }
  }
  // (Go has a TODO here: verify the summaries too.)
}

}  // namespace gort_test

// Everything below is in an anonymous namespace, where uint is Go's
// (runtime::uint, 64 bits), not glibc's 32-bit ::uint.
namespace {

using gort_test::checkPageAlloc;
using gort_test::hexs;
using gort_test::ChunkMap;
using gort_test::pageAllocPtr;
using runtime::AddrRange;
using runtime::BaseChunkIdx;
using runtime::BitRange;
using runtime::ChunkIdx;
using runtime::MakeAddrRange;
using runtime::NewPageAlloc;
using runtime::PageAlloc64Bit;
using runtime::PageBase;
using runtime::PageSize;
using runtime::PallocChunkPages;
using runtime::PallocSumBytes;
using runtime::PhysPageSize;
using runtime::uint;
using runtime::uintptr;

// mpagealloc_test.go:44 at go1.22.12
TEST_CASE("TestPageAllocGrow", "[mpagealloc_test.go]") {
  struct test {
    std::vector<ChunkIdx> chunks;
    std::vector<AddrRange> inUse;
  };
  std::map<std::string, test> tests = {
    {"One", {
      .chunks = {
        BaseChunkIdx,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+1, 0)),
      },
    }},
    {"Contiguous2", {
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 1,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+2, 0)),
      },
    }},
    {"Contiguous5", {
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 1,
        BaseChunkIdx + 2,
        BaseChunkIdx + 3,
        BaseChunkIdx + 4,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+5, 0)),
      },
    }},
    {"Discontiguous", {
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 2,
        BaseChunkIdx + 4,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+1, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+2, 0), PageBase(BaseChunkIdx+3, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+4, 0), PageBase(BaseChunkIdx+5, 0)),
      },
    }},
    {"Mixed", {
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 1,
        BaseChunkIdx + 2,
        BaseChunkIdx + 4,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+3, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+4, 0), PageBase(BaseChunkIdx+5, 0)),
      },
    }},
    {"WildlyDiscontiguous", {
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 1,
        BaseChunkIdx + 0x10,
        BaseChunkIdx + 0x21,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+2, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+0x10, 0), PageBase(BaseChunkIdx+0x11, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+0x21, 0), PageBase(BaseChunkIdx+0x22, 0)),
      },
    }},
    {"ManyDiscontiguous", {
      .chunks = {
        BaseChunkIdx, BaseChunkIdx + 2, BaseChunkIdx + 4, BaseChunkIdx + 6,
        BaseChunkIdx + 8, BaseChunkIdx + 10, BaseChunkIdx + 12, BaseChunkIdx + 14,
        BaseChunkIdx + 16, BaseChunkIdx + 18, BaseChunkIdx + 20, BaseChunkIdx + 22,
        BaseChunkIdx + 24, BaseChunkIdx + 26, BaseChunkIdx + 28, BaseChunkIdx + 30,
        BaseChunkIdx + 32, BaseChunkIdx + 34, BaseChunkIdx + 36, BaseChunkIdx + 38,
        BaseChunkIdx + 40, BaseChunkIdx + 42, BaseChunkIdx + 44, BaseChunkIdx + 46,
        BaseChunkIdx + 48, BaseChunkIdx + 50, BaseChunkIdx + 52, BaseChunkIdx + 54,
        BaseChunkIdx + 56, BaseChunkIdx + 58, BaseChunkIdx + 60, BaseChunkIdx + 62,
        BaseChunkIdx + 64,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+1, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+2, 0), PageBase(BaseChunkIdx+3, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+4, 0), PageBase(BaseChunkIdx+5, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+6, 0), PageBase(BaseChunkIdx+7, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+8, 0), PageBase(BaseChunkIdx+9, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+10, 0), PageBase(BaseChunkIdx+11, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+12, 0), PageBase(BaseChunkIdx+13, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+14, 0), PageBase(BaseChunkIdx+15, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+16, 0), PageBase(BaseChunkIdx+17, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+18, 0), PageBase(BaseChunkIdx+19, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+20, 0), PageBase(BaseChunkIdx+21, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+22, 0), PageBase(BaseChunkIdx+23, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+24, 0), PageBase(BaseChunkIdx+25, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+26, 0), PageBase(BaseChunkIdx+27, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+28, 0), PageBase(BaseChunkIdx+29, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+30, 0), PageBase(BaseChunkIdx+31, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+32, 0), PageBase(BaseChunkIdx+33, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+34, 0), PageBase(BaseChunkIdx+35, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+36, 0), PageBase(BaseChunkIdx+37, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+38, 0), PageBase(BaseChunkIdx+39, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+40, 0), PageBase(BaseChunkIdx+41, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+42, 0), PageBase(BaseChunkIdx+43, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+44, 0), PageBase(BaseChunkIdx+45, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+46, 0), PageBase(BaseChunkIdx+47, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+48, 0), PageBase(BaseChunkIdx+49, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+50, 0), PageBase(BaseChunkIdx+51, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+52, 0), PageBase(BaseChunkIdx+53, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+54, 0), PageBase(BaseChunkIdx+55, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+56, 0), PageBase(BaseChunkIdx+57, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+58, 0), PageBase(BaseChunkIdx+59, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+60, 0), PageBase(BaseChunkIdx+61, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+62, 0), PageBase(BaseChunkIdx+63, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+64, 0), PageBase(BaseChunkIdx+65, 0)),
      },
    }},
  };
  // Go leaves this one out on iOS (a small address space).
  if (PageAlloc64Bit != 0) {
    tests["ExtremelyDiscontiguous"] = test{
      .chunks = {
        BaseChunkIdx,
        BaseChunkIdx + 0x100000,
      },
      .inUse = {
        MakeAddrRange(PageBase(BaseChunkIdx, 0), PageBase(BaseChunkIdx+1, 0)),
        MakeAddrRange(PageBase(BaseChunkIdx+0x100000, 0), PageBase(BaseChunkIdx+0x100001, 0)),
      },
    };
  }
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      // A new allocator grown by each chunk of the table.
      ChunkMap x;
      for (ChunkIdx c : v.chunks) x[c] = {};
      pageAllocPtr b(NewPageAlloc(x, {}));

      std::vector<AddrRange> got = b->InUse();
      const std::vector<AddrRange>& want = v.inUse;

      bool failed = false;
      if (got.size() != want.size()) {
        failed = true;
      } else {
        for (size_t i = 0; i < want.size(); i++) {
          if (!want[i].Equals(got[i])) {
            failed = true;
            break;
          }
        }
      }
      if (failed) {
        std::ostringstream msg;
        msg << "found inUse mismatch\ngot:";
        for (size_t i = 0; i < got.size(); i++)
          msg << "\n\t#" << i << " [" << hexs(got[i].Base()) << ", " << hexs(got[i].Limit()) << ")";
        msg << "\nwant:";
        for (size_t i = 0; i < want.size(); i++)
          msg << "\n\t#" << i << " [" << hexs(want[i].Base()) << ", " << hexs(want[i].Limit()) << ")";
        FAIL_CHECK(msg.str());
      }
    }
  }
}

// mpagealloc_test.go:224 at go1.22.12
TEST_CASE("TestPageAllocAlloc", "[mpagealloc_test.go]") {
  struct hit {
    uintptr npages, base, scav;
  };
  struct test {
    ChunkMap before;
    ChunkMap scav;
    std::vector<hit> hits;
    ChunkMap after;
  };
  std::map<std::string, test> tests = {
    {"AllFree1", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, 1}, {2, 2}}},
      },
      .hits = {
        {1, PageBase(BaseChunkIdx, 0), PageSize},
        {1, PageBase(BaseChunkIdx, 1), 0},
        {1, PageBase(BaseChunkIdx, 2), PageSize},
        {1, PageBase(BaseChunkIdx, 3), PageSize},
        {1, PageBase(BaseChunkIdx, 4), 0},
      },
      .after = {
        {BaseChunkIdx, {{0, 5}}},
      },
    }},
    {"ManyArena1", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages - 1}}},
      },
      .scav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
      .hits = {
        {1, PageBase(BaseChunkIdx+2, PallocChunkPages-1), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
    }},
    {"NotContiguous1", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{0, 0}}},
      },
      .scav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{0, PallocChunkPages}}},
      },
      .hits = {
        {1, PageBase(BaseChunkIdx+0xff, 0), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{0, 1}}},
      },
    }},
    {"AllFree2", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, 3}, {7, 1}}},
      },
      .hits = {
        {2, PageBase(BaseChunkIdx, 0), 2 * PageSize},
        {2, PageBase(BaseChunkIdx, 2), PageSize},
        {2, PageBase(BaseChunkIdx, 4), 0},
        {2, PageBase(BaseChunkIdx, 6), PageSize},
        {2, PageBase(BaseChunkIdx, 8), 0},
      },
      .after = {
        {BaseChunkIdx, {{0, 10}}},
      },
    }},
    {"Straddle2", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages - 1}}},
        {BaseChunkIdx + 1, {{1, PallocChunkPages - 1}}},
      },
      .scav = {
        {BaseChunkIdx, {{PallocChunkPages - 1, 1}}},
        {BaseChunkIdx + 1, {}},
      },
      .hits = {
        {2, PageBase(BaseChunkIdx, PallocChunkPages-1), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
    }},
    {"AllFree5", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, 8}, {9, 1}, {17, 5}}},
      },
      .hits = {
        {5, PageBase(BaseChunkIdx, 0), 5 * PageSize},
        {5, PageBase(BaseChunkIdx, 5), 4 * PageSize},
        {5, PageBase(BaseChunkIdx, 10), 0},
        {5, PageBase(BaseChunkIdx, 15), 3 * PageSize},
        {5, PageBase(BaseChunkIdx, 20), 2 * PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, 25}}},
      },
    }},
    {"AllFree64", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{21, 1}, {63, 65}}},
      },
      .hits = {
        {64, PageBase(BaseChunkIdx, 0), 2 * PageSize},
        {64, PageBase(BaseChunkIdx, 64), 64 * PageSize},
        {64, PageBase(BaseChunkIdx, 128), 0},
      },
      .after = {
        {BaseChunkIdx, {{0, 192}}},
      },
    }},
    {"AllFree65", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{129, 1}}},
      },
      .hits = {
        {65, PageBase(BaseChunkIdx, 0), 0},
        {65, PageBase(BaseChunkIdx, 65), PageSize},
        {65, PageBase(BaseChunkIdx, 130), 0},
      },
      .after = {
        {BaseChunkIdx, {{0, 195}}},
      },
    }},
    {"ExhaustPallocChunkPages-3", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{10, 1}}},
      },
      .hits = {
        {PallocChunkPages - 3, PageBase(BaseChunkIdx, 0), PageSize},
        {PallocChunkPages - 3, 0, 0},
        {1, PageBase(BaseChunkIdx, PallocChunkPages-3), 0},
        {2, PageBase(BaseChunkIdx, PallocChunkPages-2), 0},
        {1, 0, 0},
        {PallocChunkPages - 3, 0, 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
    }},
    {"AllFreePallocChunkPages", {
      .before = {
        {BaseChunkIdx, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, 1}, {PallocChunkPages - 1, 1}}},
      },
      .hits = {
        {PallocChunkPages, PageBase(BaseChunkIdx, 0), 2 * PageSize},
        {PallocChunkPages, 0, 0},
        {1, 0, 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
    }},
    {"StraddlePallocChunkPages", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {{PallocChunkPages / 2, PallocChunkPages / 2}}},
      },
      .scav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {{3, 100}}},
      },
      .hits = {
        {PallocChunkPages, PageBase(BaseChunkIdx, PallocChunkPages/2), 100 * PageSize},
        {PallocChunkPages, 0, 0},
        {1, 0, 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
    }},
    {"StraddlePallocChunkPages+1", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
      .hits = {
        {PallocChunkPages + 1, PageBase(BaseChunkIdx, PallocChunkPages/2), (PallocChunkPages + 1) * PageSize},
        {PallocChunkPages, 0, 0},
        {1, PageBase(BaseChunkIdx+1, PallocChunkPages/2+1), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages/2 + 2}}},
      },
    }},
    {"AllFreePallocChunkPages*2", {
      .before = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
      .scav = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
      .hits = {
        {PallocChunkPages * 2, PageBase(BaseChunkIdx, 0), 0},
        {PallocChunkPages * 2, 0, 0},
        {1, 0, 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
    }},
    {"NotContiguousPallocChunkPages*2", {
      .before = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 0x40, {}},
        {BaseChunkIdx + 0x41, {}},
      },
      .scav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0x40, {}},
        {BaseChunkIdx + 0x41, {}},
      },
      .hits = {
        {PallocChunkPages * 2, PageBase(BaseChunkIdx+0x40, 0), 0},
        {21, PageBase(BaseChunkIdx, 0), 21 * PageSize},
        {1, PageBase(BaseChunkIdx, 21), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, 22}}},
        {BaseChunkIdx + 0x40, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0x41, {{0, PallocChunkPages}}},
      },
    }},
    {"StraddlePallocChunkPages*2", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {{PallocChunkPages / 2, PallocChunkPages / 2}}},
      },
      .scav = {
        {BaseChunkIdx, {{0, 7}}},
        {BaseChunkIdx + 1, {{3, 5}, {121, 10}}},
        {BaseChunkIdx + 2, {{PallocChunkPages/2 + 12, 2}}},
      },
      .hits = {
        {PallocChunkPages * 2, PageBase(BaseChunkIdx, PallocChunkPages/2), 15 * PageSize},
        {PallocChunkPages * 2, 0, 0},
        {1, 0, 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
    }},
    {"StraddlePallocChunkPages*5/4", {
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages * 3 / 4}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages * 3 / 4}}},
        {BaseChunkIdx + 3, {{0, 0}}},
      },
      .scav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{PallocChunkPages / 2, PallocChunkPages/4 + 1}}},
        {BaseChunkIdx + 2, {{PallocChunkPages / 3, 1}}},
        {BaseChunkIdx + 3, {{PallocChunkPages * 2 / 3, 1}}},
      },
      .hits = {
        {PallocChunkPages * 5 / 4, PageBase(BaseChunkIdx+2, PallocChunkPages*3/4), PageSize},
        {PallocChunkPages * 5 / 4, 0, 0},
        {1, PageBase(BaseChunkIdx+1, PallocChunkPages*3/4), PageSize},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages*3/4 + 1}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 3, {{0, PallocChunkPages}}},
      },
    }},
    {"AllFreePallocChunkPages*7+5", {
      .before = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {}},
        {BaseChunkIdx + 3, {}},
        {BaseChunkIdx + 4, {}},
        {BaseChunkIdx + 5, {}},
        {BaseChunkIdx + 6, {}},
        {BaseChunkIdx + 7, {}},
      },
      .scav = {
        {BaseChunkIdx, {{50, 1}}},
        {BaseChunkIdx + 1, {{31, 1}}},
        {BaseChunkIdx + 2, {{7, 1}}},
        {BaseChunkIdx + 3, {{200, 1}}},
        {BaseChunkIdx + 4, {{3, 1}}},
        {BaseChunkIdx + 5, {{51, 1}}},
        {BaseChunkIdx + 6, {{20, 1}}},
        {BaseChunkIdx + 7, {{1, 1}}},
      },
      .hits = {
        {PallocChunkPages*7 + 5, PageBase(BaseChunkIdx, 0), 8 * PageSize},
        {PallocChunkPages*7 + 5, 0, 0},
        {1, PageBase(BaseChunkIdx+7, 5), 0},
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 3, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 4, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 5, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 6, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 7, {{0, 6}}},
      },
    }},
  };
  // Go leaves these out on iOS (a small address space).
  if (PageAlloc64Bit != 0) {
    constexpr uint chunkIdxBigJump = 0x100000;  // a chunk index offset of some TiB

    // A chunk placed so that its summary is the last one in a physical page
    // of the summary array, and another chunk so far above it that the two
    // summaries are not in adjacent pages. Allocating the first chunk full
    // and then from the second must not read the unmapped summary page in
    // between. (Each summary level's reservation starts on a page.)
    ChunkIdx sumsPerPhysPage = ChunkIdx(PhysPageSize() / PallocSumBytes);
    ChunkIdx baseChunkIdx = BaseChunkIdx & ~(sumsPerPhysPage - 1);
    tests["DiscontiguousMappedSumBoundary"] = test{
      .before = {
        {baseChunkIdx + sumsPerPhysPage - 1, {}},
        {baseChunkIdx + chunkIdxBigJump, {}},
      },
      .scav = {
        {baseChunkIdx + sumsPerPhysPage - 1, {}},
        {baseChunkIdx + chunkIdxBigJump, {}},
      },
      .hits = {
        {PallocChunkPages - 1, PageBase(baseChunkIdx+sumsPerPhysPage-1, 0), 0},
        {1, PageBase(baseChunkIdx+sumsPerPhysPage-1, PallocChunkPages-1), 0},
        {1, PageBase(baseChunkIdx+chunkIdxBigJump, 0), 0},
        {PallocChunkPages - 1, PageBase(baseChunkIdx+chunkIdxBigJump, 1), 0},
        {1, 0, 0},
      },
      .after = {
        {baseChunkIdx + sumsPerPhysPage - 1, {{0, PallocChunkPages}}},
        {baseChunkIdx + chunkIdxBigJump, {{0, PallocChunkPages}}},
      },
    };

    // Go issue 40191: the searchAddr that find suggests may point into
    // memory the allocator never mapped. Three chunks far apart: A with one
    // free page, B with a few (not at its end, so that alloc's fast path has
    // to read B's summary) chunkIdxSmallOffset chunks into the second jump,
    // where the summaries below B are not mapped, and C wholly free. The
    // first allocation moves searchAddr to A's end; the second, too big for
    // B, goes to C, and leaves as the candidate searchAddr an unmapped
    // address below B; the third, which fits B, must not touch it.
    constexpr uint chunkIdxSmallOffset = 0x503;
    tests["DiscontiguousBadSearchAddr"] = test{
      .before = {
        {BaseChunkIdx + chunkIdxBigJump*0, {{0, PallocChunkPages - 1}}},
        {BaseChunkIdx + chunkIdxBigJump*1 + chunkIdxSmallOffset, {
          {0, PallocChunkPages - 10},
          {PallocChunkPages - 1, 1},
        }},
        {BaseChunkIdx + chunkIdxBigJump*2, {}},
      },
      .scav = {
        {BaseChunkIdx + chunkIdxBigJump*0, {}},
        {BaseChunkIdx + chunkIdxBigJump*1 + chunkIdxSmallOffset, {}},
        {BaseChunkIdx + chunkIdxBigJump*2, {}},
      },
      .hits = {
        {1, PageBase(BaseChunkIdx, PallocChunkPages-1), 0},
        {100, PageBase(baseChunkIdx+chunkIdxBigJump*2, 0), 0},
        {9, PageBase(baseChunkIdx+chunkIdxBigJump*1+chunkIdxSmallOffset, PallocChunkPages-10), 0},
      },
      .after = {
        {BaseChunkIdx + chunkIdxBigJump*0, {{0, PallocChunkPages}}},
        {BaseChunkIdx + chunkIdxBigJump*1 + chunkIdxSmallOffset, {{0, PallocChunkPages}}},
        {BaseChunkIdx + chunkIdxBigJump*2, {{0, 100}}},
      },
    };
  }
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      pageAllocPtr b(NewPageAlloc(v.before, v.scav));

      int iter = 0;
      for (const hit& i : v.hits) {
        iter++;
        auto [a, s] = b->Alloc(i.npages);
        INFO("bad alloc #" << iter << ": want base " << hexs(i.base) << ", got " << hexs(a));
        REQUIRE(a == i.base);
        INFO("bad alloc #" << iter << ": want scav " << i.scav << ", got " << s);
        REQUIRE(s == i.scav);
      }
      pageAllocPtr want(NewPageAlloc(v.after, v.scav));

      checkPageAlloc(want.get(), b.get());
    }
  }
}

// mpagealloc_test.go:701 at go1.22.12
TEST_CASE("TestPageAllocExhaust", "[mpagealloc_test.go]") {
  for (uintptr npages : {1, 2, 3, 4, 5, 8, 16, 64, 1024, 1025, 2048, 2049}) {
    DYNAMIC_SECTION(npages) {
      // Four free chunks.
      ChunkMap bDesc;
      for (ChunkIdx i = 0; i < 4; i++) bDesc[BaseChunkIdx + i] = {};
      pageAllocPtr b(NewPageAlloc(bDesc, {}));

      // Allocate npages at a time until the heap is full.
      int nAlloc = int(PallocChunkPages * 4) / int(npages);
      for (int i = 0; i < nAlloc; i++) {
        uintptr addr = PageBase(BaseChunkIdx, uint(i) * uint(npages));
        auto [a, _] = b->Alloc(npages);
        INFO("bad alloc #" << i + 1 << ": want " << hexs(addr) << ", got " << hexs(a));
        REQUIRE(a == addr);
      }

      // One more must fail.
      {
        auto [a, _] = b->Alloc(npages);
        INFO("bad alloc #" << nAlloc << ": want 0, got " << hexs(a));
        REQUIRE(a == 0);
      }

      // What the heap should look like now.
      int allocPages = nAlloc * int(npages);
      ChunkMap wantDesc;
      for (ChunkIdx i = 0; i < 4; i++) {
        if (allocPages >= int(PallocChunkPages)) {
          wantDesc[BaseChunkIdx + i] = {{0, PallocChunkPages}};
          allocPages -= int(PallocChunkPages);
        } else if (allocPages > 0) {
          wantDesc[BaseChunkIdx + i] = {{0, uint(allocPages)}};
          allocPages = 0;
        } else {
          wantDesc[BaseChunkIdx + i] = {};
        }
      }
      pageAllocPtr want(NewPageAlloc(wantDesc, {}));

      checkPageAlloc(want.get(), b.get());
    }
  }
}

// mpagealloc_test.go:753 at go1.22.12
TEST_CASE("TestPageAllocFree", "[mpagealloc_test.go]") {
  struct test {
    uintptr npages;
    ChunkMap before;
    std::vector<uintptr> frees;
    ChunkMap after;
  };
  std::map<std::string, test> tests = {
    {"Free1", {
      .npages = 1,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
        PageBase(BaseChunkIdx, 1),
        PageBase(BaseChunkIdx, 2),
        PageBase(BaseChunkIdx, 3),
        PageBase(BaseChunkIdx, 4),
      },
      .after = {
        {BaseChunkIdx, {{5, PallocChunkPages - 5}}},
      },
    }},
    {"ManyArena1", {
      .npages = 1,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, PallocChunkPages/2),
        PageBase(BaseChunkIdx+1, 0),
        PageBase(BaseChunkIdx+2, PallocChunkPages-1),
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}, {PallocChunkPages/2 + 1, PallocChunkPages/2 - 1}}},
        {BaseChunkIdx + 1, {{1, PallocChunkPages - 1}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages - 1}}},
      },
    }},
    {"Free2", {
      .npages = 2,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
        PageBase(BaseChunkIdx, 2),
        PageBase(BaseChunkIdx, 4),
        PageBase(BaseChunkIdx, 6),
        PageBase(BaseChunkIdx, 8),
      },
      .after = {
        {BaseChunkIdx, {{10, PallocChunkPages - 10}}},
      },
    }},
    {"Straddle2", {
      .npages = 2,
      .before = {
        {BaseChunkIdx, {{PallocChunkPages - 1, 1}}},
        {BaseChunkIdx + 1, {{0, 1}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, PallocChunkPages-1),
      },
      .after = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
    }},
    {"Free5", {
      .npages = 5,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
        PageBase(BaseChunkIdx, 5),
        PageBase(BaseChunkIdx, 10),
        PageBase(BaseChunkIdx, 15),
        PageBase(BaseChunkIdx, 20),
      },
      .after = {
        {BaseChunkIdx, {{25, PallocChunkPages - 25}}},
      },
    }},
    {"Free64", {
      .npages = 64,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
        PageBase(BaseChunkIdx, 64),
        PageBase(BaseChunkIdx, 128),
      },
      .after = {
        {BaseChunkIdx, {{192, PallocChunkPages - 192}}},
      },
    }},
    {"Free65", {
      .npages = 65,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
        PageBase(BaseChunkIdx, 65),
        PageBase(BaseChunkIdx, 130),
      },
      .after = {
        {BaseChunkIdx, {{195, PallocChunkPages - 195}}},
      },
    }},
    {"FreePallocChunkPages", {
      .npages = PallocChunkPages,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
      },
      .after = {
        {BaseChunkIdx, {}},
      },
    }},
    {"StraddlePallocChunkPages", {
      .npages = PallocChunkPages,
      .before = {
        {BaseChunkIdx, {{PallocChunkPages / 2, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages / 2}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, PallocChunkPages/2),
      },
      .after = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
    }},
    {"StraddlePallocChunkPages+1", {
      .npages = PallocChunkPages + 1,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, PallocChunkPages/2),
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {{PallocChunkPages/2 + 1, PallocChunkPages/2 - 1}}},
      },
    }},
    {"FreePallocChunkPages*2", {
      .npages = PallocChunkPages * 2,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
      },
      .after = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
      },
    }},
    {"StraddlePallocChunkPages*2", {
      .npages = PallocChunkPages * 2,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, PallocChunkPages/2),
      },
      .after = {
        {BaseChunkIdx, {{0, PallocChunkPages / 2}}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {{PallocChunkPages / 2, PallocChunkPages / 2}}},
      },
    }},
    {"AllFreePallocChunkPages*7+5", {
      .npages = PallocChunkPages*7 + 5,
      .before = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 3, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 4, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 5, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 6, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 7, {{0, PallocChunkPages}}},
      },
      .frees = {
        PageBase(BaseChunkIdx, 0),
      },
      .after = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {}},
        {BaseChunkIdx + 3, {}},
        {BaseChunkIdx + 4, {}},
        {BaseChunkIdx + 5, {}},
        {BaseChunkIdx + 6, {}},
        {BaseChunkIdx + 7, {{5, PallocChunkPages - 5}}},
      },
    }},
  };
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      pageAllocPtr b(NewPageAlloc(v.before, {}));

      for (uintptr addr : v.frees) b->Free(addr, v.npages);
      pageAllocPtr want(NewPageAlloc(v.after, {}));

      checkPageAlloc(want.get(), b.get());
    }
  }
}

// mpagealloc_test.go:985 at go1.22.12
TEST_CASE("TestPageAllocAllocAndFree", "[mpagealloc_test.go]") {
  struct hit {
    bool alloc;
    uintptr npages;
    uintptr base;
  };
  struct test {
    ChunkMap init;
    std::vector<hit> hits;
  };
  // (Go: "TODO(mknyszek): Write more tests here.")
  std::map<std::string, test> tests = {
    {"Chunks8", {
      .init = {
        {BaseChunkIdx, {}},
        {BaseChunkIdx + 1, {}},
        {BaseChunkIdx + 2, {}},
        {BaseChunkIdx + 3, {}},
        {BaseChunkIdx + 4, {}},
        {BaseChunkIdx + 5, {}},
        {BaseChunkIdx + 6, {}},
        {BaseChunkIdx + 7, {}},
      },
      .hits = {
        {true, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {false, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {true, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {false, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {true, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {false, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
        {true, 1, PageBase(BaseChunkIdx, 0)},
        {false, 1, PageBase(BaseChunkIdx, 0)},
        {true, PallocChunkPages * 8, PageBase(BaseChunkIdx, 0)},
      },
    }},
  };
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      pageAllocPtr b(NewPageAlloc(v.init, {}));

      int iter = 0;
      for (const hit& i : v.hits) {
        iter++;
        if (i.alloc) {
          auto [a, _] = b->Alloc(i.npages);
          INFO("bad alloc #" << iter << ": want " << hexs(i.base) << ", got " << hexs(a));
          REQUIRE(a == i.base);
        } else {
          b->Free(i.base, i.npages);
        }
      }
    }
  }
}

}  // namespace
