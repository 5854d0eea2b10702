// mpagecache_test.cpp: the page cache tests of go1.22.12
// runtime/mpagecache_test.go, translated test by test, every table entry
// kept (translation rules: mpallocbits_test.cpp; test allocators:
// mpagealloc_test.cpp).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "export_mpagealloc_test.hpp"

// Everything is in an anonymous namespace, where uint is Go's (runtime::uint,
// 64 bits), not glibc's 32-bit ::uint.
namespace {

using gort_test::checkPageAlloc;
using gort_test::hexs;
using gort_test::ChunkMap;
using gort_test::pageAllocPtr;
using runtime::BaseChunkIdx;
using runtime::BitRange;
using runtime::ChunkIdx;
using runtime::NewPageAlloc;
using runtime::NewPageCache;
using runtime::PageAlloc64Bit;
using runtime::PageBase;
using runtime::PageCache;
using runtime::PageSize;
using runtime::PallocChunkPages;
using runtime::PallocSumBytes;
using runtime::PhysPageSize;
using runtime::uint;
using runtime::uintptr;

// mpagecache_test.go:14 at go1.22.12. Returns whether got and want agree
// (Go's callers ask t.Failed()).
bool checkPageCache(const PageCache& got, const PageCache& want) {
  bool ok = true;
  if (got.Base() != want.Base()) {
    FAIL_CHECK("bad pageCache base: got " << hexs(got.Base()) << ", want " << hexs(want.Base()));
    ok = false;
  }
  if (got.Cache() != want.Cache()) {
    FAIL_CHECK("bad pageCache bits: got " << hexs(got.Cache()) << ", want " << hexs(want.Cache()));
    ok = false;
  }
  if (got.Scav() != want.Scav()) {
    FAIL_CHECK("bad pageCache scav: got " << hexs(got.Scav()) << ", want " << hexs(want.Scav()));
    ok = false;
  }
  return ok;
}

// mpagecache_test.go:26 at go1.22.12
TEST_CASE("TestPageCacheAlloc", "[mpagecache_test.go]") {
  uintptr base = PageBase(BaseChunkIdx, 0);
  struct hit {
    uintptr npages;
    uintptr base;
    uintptr scav;
  };
  struct test {
    PageCache cache;
    std::vector<hit> hits;
  };
  std::map<std::string, test> tests = {
    {"Empty", {
      .cache = NewPageCache(base, 0, 0),
      .hits = {
        {1, 0, 0},
        {2, 0, 0},
        {3, 0, 0},
        {4, 0, 0},
        {5, 0, 0},
        {11, 0, 0},
        {12, 0, 0},
        {16, 0, 0},
        {27, 0, 0},
        {32, 0, 0},
        {43, 0, 0},
        {57, 0, 0},
        {64, 0, 0},
        {121, 0, 0},
      },
    }},
    {"Lo1", {
      .cache = NewPageCache(base, 0x1, 0x1),
      .hits = {
        {1, base, PageSize},
        {1, 0, 0},
        {10, 0, 0},
      },
    }},
    {"Hi1", {
      .cache = NewPageCache(base, uint64_t(0x1) << 63, 0x1),
      .hits = {
        {1, base + 63*PageSize, 0},
        {1, 0, 0},
        {10, 0, 0},
      },
    }},
    {"Swiss1", {
      .cache = NewPageCache(base, 0x20005555, 0x5505),
      .hits = {
        {2, 0, 0},
        {1, base, PageSize},
        {1, base + 2*PageSize, PageSize},
        {1, base + 4*PageSize, 0},
        {1, base + 6*PageSize, 0},
        {1, base + 8*PageSize, PageSize},
        {1, base + 10*PageSize, PageSize},
        {1, base + 12*PageSize, PageSize},
        {1, base + 14*PageSize, PageSize},
        {1, base + 29*PageSize, 0},
        {1, 0, 0},
        {10, 0, 0},
      },
    }},
    {"Lo2", {
      .cache = NewPageCache(base, 0x3, uint64_t(0x2) << 62),
      .hits = {
        {2, base, 0},
        {2, 0, 0},
        {1, 0, 0},
      },
    }},
    {"Hi2", {
      .cache = NewPageCache(base, uint64_t(0x3) << 62, uint64_t(0x3) << 62),
      .hits = {
        {2, base + 62*PageSize, 2 * PageSize},
        {2, 0, 0},
        {1, 0, 0},
      },
    }},
    {"Swiss2", {
      .cache = NewPageCache(base, uint64_t(0x3333) << 31, uint64_t(0x3030) << 31),
      .hits = {
        {2, base + 31*PageSize, 0},
        {2, base + 35*PageSize, 2 * PageSize},
        {2, base + 39*PageSize, 0},
        {2, base + 43*PageSize, 2 * PageSize},
        {2, 0, 0},
      },
    }},
    {"Hi53", {
      .cache = NewPageCache(base, ((uint64_t(1)<<53)-1)<<10, ((uint64_t(1)<<16)-1)<<10),
      .hits = {
        {53, base + 10*PageSize, 16 * PageSize},
        {53, 0, 0},
        {1, 0, 0},
      },
    }},
    {"Full53", {
      .cache = NewPageCache(base, ~uint64_t(0), ((uint64_t(1)<<16)-1)<<10),
      .hits = {
        {53, base, 16 * PageSize},
        {53, 0, 0},
        {1, base + 53*PageSize, 0},
      },
    }},
    {"Full64", {
      .cache = NewPageCache(base, ~uint64_t(0), ~uint64_t(0)),
      .hits = {
        {64, base, 64 * PageSize},
        {64, 0, 0},
        {1, 0, 0},
      },
    }},
    {"FullMixed", {
      .cache = NewPageCache(base, ~uint64_t(0), ~uint64_t(0)),
      .hits = {
        {5, base, 5 * PageSize},
        {7, base + 5*PageSize, 7 * PageSize},
        {1, base + 12*PageSize, 1 * PageSize},
        {23, base + 13*PageSize, 23 * PageSize},
        {63, 0, 0},
        {3, base + 36*PageSize, 3 * PageSize},
        {3, base + 39*PageSize, 3 * PageSize},
        {3, base + 42*PageSize, 3 * PageSize},
        {12, base + 45*PageSize, 12 * PageSize},
        {11, 0, 0},
        {4, base + 57*PageSize, 4 * PageSize},
        {4, 0, 0},
        {6, 0, 0},
        {36, 0, 0},
        {2, base + 61*PageSize, 2 * PageSize},
        {3, 0, 0},
        {1, base + 63*PageSize, 1 * PageSize},
        {4, 0, 0},
        {2, 0, 0},
        {62, 0, 0},
        {1, 0, 0},
      },
    }},
  };
  for (const auto& [name, test] : tests) {
    DYNAMIC_SECTION(name) {
      PageCache c = test.cache;
      int i = 0;
      for (const hit& h : test.hits) {
        auto [b, s] = c.Alloc(h.npages);
        INFO("bad alloc base #" << i << ": got " << hexs(b) << ", want " << hexs(h.base));
        REQUIRE(b == h.base);
        INFO("bad alloc scav #" << i << ": got " << s << ", want " << h.scav);
        REQUIRE(s == h.scav);
        i++;
      }
    }
  }
}

// mpagecache_test.go:183 at go1.22.12
TEST_CASE("TestPageCacheFlush", "[mpagecache_test.go]") {
  // The runs of set bits of a 64-bit word, as ranges from base up.
  auto bits64ToBitRanges = [](uint64_t bits, uint base) {
    std::vector<BitRange> ranges;
    uint start = 0, size = 0;
    for (int i = 0; i < 64; i++) {
      if ((bits & (uint64_t(1) << i)) != 0) {
        if (size == 0) start = uint(i) + base;
        size++;
      } else {
        if (size != 0) {
          ranges.push_back(BitRange{start, size});
          size = 0;
        }
      }
    }
    if (size != 0) ranges.push_back(BitRange{start, size});
    return ranges;
  };
  auto runTest = [&](uint base, uint64_t cache, uint64_t scav) {
    INFO("base " << base << ", cache " << hexs(cache) << ", scav " << hexs(scav));
    // The state before.
    ChunkMap beforeAlloc = {{BaseChunkIdx, {{base, 64}}}};
    ChunkMap beforeScav = {{BaseChunkIdx, {}}};
    pageAllocPtr b(NewPageAlloc(beforeAlloc, beforeScav));

    // A cache over those 64 pages, flushed.
    PageCache c = NewPageCache(PageBase(BaseChunkIdx, base), cache, scav);
    c.Flush(b.get());
    CHECK(c.Empty());  // "pageCache flush did not clear cache"

    // The state after.
    ChunkMap afterAlloc = {{BaseChunkIdx, bits64ToBitRanges(~cache, base)}};
    ChunkMap afterScav = {{BaseChunkIdx, bits64ToBitRanges(scav, base)}};
    pageAllocPtr want(NewPageAlloc(afterAlloc, afterScav));

    checkPageAlloc(want.get(), b.get());
  };

  // Empty.
  runTest(0, 0, 0);

  // Full.
  runTest(0, ~uint64_t(0), ~uint64_t(0));

  // Random.
  for (int i = 0; i < 100; i++) {
    // A random 64-page block of the chunk.
    uint base = uint(runtime::testRand()() % (PallocChunkPages / 64)) * 64;

    // Random free pages, some of them scavenged.
    uint64_t cache = runtime::testRand()();
    uint64_t scav = runtime::testRand()() & cache;

    runTest(base, cache, scav);
  }
}

// mpagecache_test.go:260 at go1.22.12
TEST_CASE("TestPageAllocAllocToCache", "[mpagecache_test.go]") {
  struct test {
    ChunkMap beforeAlloc;
    ChunkMap beforeScav;
    std::vector<PageCache> hits;  // expected base addresses and patterns
    ChunkMap afterAlloc;
    ChunkMap afterScav;
  };
  std::map<std::string, test> tests = {
    {"AllFree", {
      .beforeAlloc = {
        {BaseChunkIdx, {}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{1, 1}, {64, 64}}},
      },
      .hits = {
        NewPageCache(PageBase(BaseChunkIdx, 0), ~uint64_t(0), 0x2),
        NewPageCache(PageBase(BaseChunkIdx, 64), ~uint64_t(0), ~uint64_t(0)),
        NewPageCache(PageBase(BaseChunkIdx, 128), ~uint64_t(0), 0),
        NewPageCache(PageBase(BaseChunkIdx, 192), ~uint64_t(0), 0),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, 256}}},
      },
    }},
    {"ManyArena", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages - 64}}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {}},
      },
      .hits = {
        NewPageCache(PageBase(BaseChunkIdx+2, PallocChunkPages-64), ~uint64_t(0), 0),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 1, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 2, {{0, PallocChunkPages}}},
      },
    }},
    {"NotContiguous", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{0, 0}}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{31, 67}}},
      },
      .hits = {
        NewPageCache(PageBase(BaseChunkIdx+0xff, 0), ~uint64_t(0), ((uint64_t(1)<<33)-1)<<31),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{0, 64}}},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
        {BaseChunkIdx + 0xff, {{64, 34}}},
      },
    }},
    {"First", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, 32}, {33, 31}, {96, 32}}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{1, 4}, {31, 5}, {66, 2}}},
      },
      .hits = {
        NewPageCache(PageBase(BaseChunkIdx, 0), uint64_t(1) << 32, uint64_t(1) << 32),
        NewPageCache(PageBase(BaseChunkIdx, 64), (uint64_t(1)<<32)-1, 0x3<<2),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, 128}}},
      },
    }},
    {"Fail", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
      .hits = {
        NewPageCache(0, 0, 0),
        NewPageCache(0, 0, 0),
        NewPageCache(0, 0, 0),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, PallocChunkPages}}},
      },
    }},
    {"RetainScavBits", {
      .beforeAlloc = {
        {BaseChunkIdx, {{0, 1}, {10, 2}}},
      },
      .beforeScav = {
        {BaseChunkIdx, {{0, 4}, {11, 1}}},
      },
      .hits = {
        NewPageCache(PageBase(BaseChunkIdx, 0), ~uint64_t(0x1|(0x3<<10)), 0x7<<1),
      },
      .afterAlloc = {
        {BaseChunkIdx, {{0, 64}}},
      },
      .afterScav = {
        {BaseChunkIdx, {{0, 1}, {11, 1}}},
      },
    }},
  };
  // Go leaves this one out on iOS (a small address space).
  if (PageAlloc64Bit != 0) {
    constexpr uint chunkIdxBigJump = 0x100000;  // a chunk index offset of some TiB

    // As the test of the same name in mpagealloc_test.cpp, for allocToCache.
    ChunkIdx sumsPerPhysPage = ChunkIdx(PhysPageSize() / PallocSumBytes);
    ChunkIdx baseChunkIdx = BaseChunkIdx & ~(sumsPerPhysPage - 1);
    tests["DiscontiguousMappedSumBoundary"] = test{
      .beforeAlloc = {
        {baseChunkIdx + sumsPerPhysPage - 1, {{0, PallocChunkPages - 1}}},
        {baseChunkIdx + chunkIdxBigJump, {{1, PallocChunkPages - 1}}},
      },
      .beforeScav = {
        {baseChunkIdx + sumsPerPhysPage - 1, {}},
        {baseChunkIdx + chunkIdxBigJump, {}},
      },
      .hits = {
        NewPageCache(PageBase(baseChunkIdx+sumsPerPhysPage-1, PallocChunkPages-64), uint64_t(1) << 63, 0),
        NewPageCache(PageBase(baseChunkIdx+chunkIdxBigJump, 0), 1, 0),
        NewPageCache(0, 0, 0),
      },
      .afterAlloc = {
        {baseChunkIdx + sumsPerPhysPage - 1, {{0, PallocChunkPages}}},
        {baseChunkIdx + chunkIdxBigJump, {{0, PallocChunkPages}}},
      },
    };
  }
  for (const auto& [name, v] : tests) {
    DYNAMIC_SECTION(name) {
      pageAllocPtr b(NewPageAlloc(v.beforeAlloc, v.beforeScav));

      for (const PageCache& expect : v.hits) {
        if (!checkPageCache(b->AllocToCache(), expect)) return;
      }
      pageAllocPtr want(NewPageAlloc(v.afterAlloc, v.afterScav));

      checkPageAlloc(want.get(), b.get());
    }
  }
}

}  // namespace
