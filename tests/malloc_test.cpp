// malloc_test.cpp: the tests of go1.22.12 runtime/malloc_test.go that apply
// to gort, translated test by test (each cites the line of Go's func), and
// the port's own checks of the allocator ([gort]): the size classes against
// Go's generated file, and AddressSanitizer's view of the heap.
//
// Translation rules:
//   - `new(T)` is runtime::newobject<T>() (malloc.hpp), which allocates
//     through mallocgc as Go's compiler-emitted newobject does; Escape is
//     export_test.hpp's.
//   - Go's reflect-driven field checks in TestMemStats become one check per
//     field, in MemStats' order.
//   - A test Go runs in a child copy of the test binary (TestArenaCollision)
//     runs this binary again with the test's name as Catch2's filter.
//
//   - A test Go runs through testprog (TestPhysicalMemoryUtilization) runs
//     tests/testprog's port of the same program (runTestProg).
//
// Not here (tests/inventory says why): TestStringConcatenationAllocs (Go's
// string concatenation).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "asan.hpp"
#include "race.hpp"
#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "mheap.hpp"
#include "runtime.hpp"
#include "sizeclasses.hpp"

#ifdef GORT_ASAN
#include <sanitizer/asan_interface.h>
#endif

using gort_test::GOMAXPROCSGuard;
using runtime::Escape;
using runtime::newobject;

namespace {

// malloc_test.go:181's obj12: a uint64 and a uint32, no pointers.
struct obj12 {
  uint64_t a;
  uint32_t b;
};

// malloc_test.go:261's acLink: a 1 MiB block of bytes.
struct acLink {
  uint8_t x[1 << 20];
};

// malloc_test.go:263's arenaCollisionSink.
gort::slice<gort::ptr<acLink>> arenaCollisionSink;

// A 100-byte pointer-free object, for the ASan check below.
struct obj100 {
  uint8_t b[100];
};

}  // namespace

// obj12, acLink and obj100 hold no pointers: their types' maps, derived
// from their members (type.hpp), are empty, so they are allocated noscan.

namespace {

/// The tests run with ReadMemStats' double check on, as Go's do (gc_test.go's
/// init sets *runtime.DoubleCheckReadMemStats).
struct enableDoubleCheck {
  enableDoubleCheck() { *runtime::DoubleCheckReadMemStats = true; }
} enableDoubleCheckOnce;

int testMemStatsCount;

}  // namespace

// malloc_test.go:26 at go1.22.12
//
// Departure: BuckHashSys is the heap profiler's table,
// allocated at its first sample in Go; there is no profiler yet, so it is
// only bounded. And Go's test binary has made many tiny allocations by the
// time this runs (Frees counts them); so that Frees reflects the same here,
// the test makes a few first (see the check of Frees for the sanitizers).
TEST_CASE("TestMemStats", "[malloc_test.go]") {
  testMemStatsCount++;

  for (int i = 0; i < 16; i++) Escape(newobject<uint8_t>());

  // A forced collection first: NumForcedGC, NumGC and LastGC below must
  // not be zero.
  runtime::GC();

  // Every statistic must lie within a plausible range.
  runtime::MemStats st{};
  runtime::ReadMemStats(&st);

  auto le = [&](double x, double thresh) {
    // Only once: large -test.count values invalidate the bounds.
    return testMemStatsCount > 1 || x < thresh;
  };
  INFO("Alloc=" << st.Alloc << " TotalAlloc=" << st.TotalAlloc << " Sys=" << st.Sys << " Mallocs=" << st.Mallocs
                << " Frees=" << st.Frees << " HeapAlloc=" << st.HeapAlloc << " HeapSys=" << st.HeapSys
                << " HeapIdle=" << st.HeapIdle << " HeapInuse=" << st.HeapInuse << " HeapReleased="
                << st.HeapReleased << " HeapObjects=" << st.HeapObjects << " StackInuse=" << st.StackInuse
                << " StackSys=" << st.StackSys << " MSpanInuse=" << st.MSpanInuse << " MSpanSys=" << st.MSpanSys
                << " MCacheInuse=" << st.MCacheInuse << " MCacheSys=" << st.MCacheSys
                << " BuckHashSys=" << st.BuckHashSys << " GCSys=" << st.GCSys << " OtherSys=" << st.OtherSys
                << " NextGC=" << st.NextGC);
  // Go's table of checks per field: nz (nonzero), le(thresh), eq(value).
#define NZ(f) CHECK(st.f != 0)
#define LE(f, thresh) CHECK(le(double(st.f), thresh))
#define NZ_LE(f, thresh) \
  NZ(f);                 \
  LE(f, thresh)
  // Of the uint fields, HeapReleased and HeapIdle can be 0.
  NZ_LE(Alloc, 1e10);
  NZ_LE(TotalAlloc, 1e11);
  NZ_LE(Sys, 1e10);
  CHECK(st.Lookups == 0);
  NZ_LE(Mallocs, 1e10);
  NZ_LE(Frees, 1e10);
  NZ_LE(HeapAlloc, 1e10);
  NZ_LE(HeapSys, 1e10);
  LE(HeapIdle, 1e10);
  NZ_LE(HeapInuse, 1e10);
  LE(HeapReleased, 1e10);
  NZ_LE(HeapObjects, 1e10);
  NZ_LE(StackInuse, 1e10);
  NZ_LE(StackSys, 1e10);
  NZ_LE(MSpanInuse, 1e10);
  NZ_LE(MSpanSys, 1e10);
  NZ_LE(MCacheInuse, 1e10);
  NZ_LE(MCacheSys, 1e10);
  LE(BuckHashSys, 1e10);  // Departure: Go wants it nonzero (see above)
  NZ_LE(GCSys, 1e10);
  NZ_LE(OtherSys, 1e10);
  NZ_LE(NextGC, 1e10);
  NZ(LastGC);
  LE(PauseTotalNs, 1e11);
  NZ_LE(NumGC, 1e9);
  NZ_LE(NumForcedGC, 1e9);
  LE(GCCPUFraction, 0.99);
  CHECK(st.EnableGC == true);
  CHECK(st.DebugGC == false);
#undef NZ_LE
#undef LE
#undef NZ

  REQUIRE(st.Sys == st.HeapSys + st.StackSys + st.MSpanSys + st.MCacheSys + st.BuckHashSys + st.GCSys +
                        st.OtherSys);

  REQUIRE(st.HeapIdle + st.HeapInuse == st.HeapSys);

  uint64_t lpe = st.PauseEnd[int(st.NumGC + 255) % 256];
  REQUIRE(st.LastGC == lpe);

  uint64_t pauseTotal = 0;
  for (uint64_t pause : st.PauseNs) pauseTotal += pause;
  if (int(st.NumGC) < 256) {
    // Every pause is there: the sum is exact.
    REQUIRE(st.PauseTotalNs == pauseTotal);
    for (int i = int(st.NumGC); i < 256; i++) {
      REQUIRE(st.PauseNs[i] == 0);
      REQUIRE(st.PauseEnd[i] == 0);
    }
  } else {
    REQUIRE(st.PauseTotalNs >= pauseTotal);
  }

  REQUIRE(st.NumForcedGC <= st.NumGC);
}

// malloc_test.go:156 at go1.22.12
TEST_CASE("TestTinyAlloc", "[malloc_test.go]") {
  if (runtime::raceenabled) SKIP("tinyalloc suppressed when running in race mode");
  // Departure: under AddressSanitizer mallocgc adds a redzone to every
  // object (computeRZlog, as Go's -asan does), so none is under 16 bytes.
  if (runtime::asanenabled) SKIP("tinyalloc unused under AddressSanitizer: every object gets a redzone");
  constexpr int N = 16;
  void* v[N];
  for (auto& p : v) p = Escape(newobject<uint8_t>());

  std::set<uintptr_t> chunks;
  for (void* p : v) chunks.insert(uintptr_t(p) & ~uintptr_t(7));

  if (chunks.size() == N) FAIL("no bytes allocated within the same 8-byte chunk");
}

// malloc_test.go:181 at go1.22.12
TEST_CASE("TestTinyAllocIssue37262", "[malloc_test.go]") {
  if (runtime::raceenabled) SKIP("tinyalloc suppressed when running in race mode");
  if (runtime::asanenabled) SKIP("tinyalloc unused under AddressSanitizer: every object gets a redzone");
  // An atomic access to the first 64-bit word of a tiny object must not
  // fault for misalignment (issue 37262; it mattered on 32-bit systems).

  // Two collections: the first reaches a stable heap, the second makes sure
  // the sweep of the first has finished.
  runtime::GC();
  runtime::GC();

  // Stay on this P's tiny allocator, with nobody else allocating from it.
  runtime::Acquirem();

  // 1-byte allocations until one ends a tiny block (a fresh block follows).
  bool aligned = false;
  for (int i = 0; i < 16; i++) {
    uint8_t* x = Escape(newobject<uint8_t>());
    if ((uintptr_t(x) & 0xf) == 0xf) {
      aligned = true;
      break;
    }
  }
  if (!aligned) {
    runtime::Releasem();
    FAIL("unable to get a fresh tiny slot");
  }

  // A 4-byte object, so the next block is partly used.
  Escape(newobject<uint32_t>());

  // A 12-byte object, which fits in that block; its first field must still
  // be 8-byte aligned for the atomic store below.
  obj12* tinyObj12 = Escape(newobject<obj12>());

  __atomic_store_n(&tinyObj12->a, uint64_t(10), __ATOMIC_SEQ_CST);
  CHECK((uintptr_t(&tinyObj12->a) & 7) == 0);

  runtime::Releasem();
}

// malloc_test.go:230 at go1.22.12
TEST_CASE("TestPageCacheLeak", "[malloc_test.go]") {
  GOMAXPROCSGuard g(1);
  uintptr_t leaked = runtime::PageCachePagesLeaked();
  if (leaked != 0) FAIL("found " << leaked << " leaked pages in page caches");
}

// malloc_test.go:238 at go1.22.12. testprog GCPhys leaves a heap of freed
// 64 KiB holes and then makes one allocation as large as all of them; what
// stays backed by physical memory must be within 10% (plus a page per
// hole) of the heap in use.
TEST_CASE("TestPhysicalMemoryUtilization", "[malloc_test.go]") {
  auto res = gort_test::runTestProg("GCPhys");
  std::string want = "OK\n";
  INFO("expected " << want << ", but got " << res.output);
  REQUIRE(res.output == want);
}

// malloc_test.go:246 at go1.22.12
TEST_CASE("TestScavengedBitsCleared", "[malloc_test.go]") {
  runtime::BitsMismatch mismatches[128];
  auto [n, ok] = runtime::CheckScavengedBitsCleared(mismatches, 128);
  if (!ok) {
    std::ostringstream msg;
    msg << "uncleared scavenged bits\n";
    for (int i = 0; i < n; i++) {
      msg << "\t@ address 0x" << std::hex << mismatches[i].Base << "\n";
      msg << "\t|  got: " << std::hex << mismatches[i].Got << "\n";
      msg << "\t| want: " << std::hex << mismatches[i].Want << "\n";
    }
    FAIL(msg.str());
  }
}

// malloc_test.go:265 at go1.22.12
TEST_CASE("TestArenaCollision", "[malloc_test.go]") {
  // mheap.sysAlloc must cope with other mappings where its hints point.
  if (const char* e = std::getenv("TEST_ARENA_COLLISION"); e == nullptr || std::string(e) != "1") {
    char self[4096];
    ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(len > 0);
    self[len] = 0;
    auto res = gort_test::runCommand(self, {"TestArenaCollision"}, {"TEST_ARENA_COLLISION=1"});
    INFO(res.output << "\n(exit status " << res.exitStatus << ")");
    // (Go's race-mode branch expects "too many address space collisions";
    // the port's race mode uses the ordinary hints: malloc.cpp.)
    if (res.output.find("failed to reserve memory at next arena hint") != std::string::npos) {
      SKIP("the child could not reserve memory at the next arena hint");
    }
    REQUIRE(res.exitStatus == 0);
    // (Catch2 says "All tests passed" only when some assertion ran; the
    // child's checks are FAILs on the bad path, so a pass may have none.)
    REQUIRE((res.output.find("All tests passed") != std::string::npos ||
             res.output.find("test cases: 1 | 1 passed") != std::string::npos));
    return;
  }
  std::vector<std::pair<uintptr_t, uintptr_t>> disallowed;
  // Keep the next 3 hints only: 64-bit has many, and going through all of
  // them would take a lot of memory.
  runtime::KeepNArenaHints(3);
  // Use those 3 up, then make the runtime find fallback hints.
  for (int i = 0; i < 5; i++) {
    // Take the page at the next hint, so the heap cannot grow there.
    auto [start, end, ok] = runtime::MapNextArenaHint();
    if (!ok) SKIP("failed to reserve memory at next arena hint [" << start << ", " << end << ")");
    UNSCOPED_INFO("reserved [" << std::hex << start << ", " << end << ")");
    disallowed.push_back({start, end});
    // Allocate until the runtime has tried that hint.
    uintptr_t hint = runtime::GetNextArenaHint();
    while (runtime::GetNextArenaHint() == hint) {
      acLink* ac = newobject<acLink>();
      // Kept live, or a collection would free it and the heap would never
      // grow to the hint.
      arenaCollisionSink = gort::append(arenaCollisionSink, gort::ptr<acLink>(ac));
      // It must not be in a reserved region.
      uintptr_t p = uintptr_t(ac);
      for (auto [d0, d1] : disallowed) {
        if (d0 <= p && p < d1) FAIL("allocation " << std::hex << p << " in reserved region [" << d0 << ", " << d1 << ")");
      }
    }
  }
}

// The port's check of sizeclasses.hpp: every constant and table entry
// equals go1.22.12's sizeclasses.go (which mksizeclasses.go generates), read
// from $GORT_GOROOT/src/runtime/sizeclasses.go.
TEST_CASE("gort: sizeclasses.hpp matches Go's sizeclasses.go", "[gort]") {
  const char* goroot = std::getenv("GORT_GOROOT");
  std::string path = std::string(goroot != nullptr && *goroot ? goroot : "/usr/lib/go-1.22") +
                     "/src/runtime/sizeclasses.go";
  std::ifstream f(path);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  std::string src = ss.str();

  // (Parsed by hand: std::regex recurses deeply enough on Go's long table
  // lines to overflow the goroutine's stack segment, which libstdc++'s
  // frames cannot grow: it is not built with -fsplit-stack.)
  auto trim = [](std::string t) {
    size_t b = t.find_first_not_of(" \t\n");
    size_t e = t.find_last_not_of(" \t\n");
    return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
  };

  // The constants: "\tname = value" lines of the const block.
  std::map<std::string, uint64_t> consts;
  size_t cb = src.find("const (");
  REQUIRE(cb != std::string::npos);
  std::istringstream block(src.substr(cb, src.find(')', cb) - cb));
  for (std::string line; std::getline(block, line);) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    consts[trim(line.substr(0, eq))] = std::stoull(trim(line.substr(eq + 1)));
  }
  CHECK(consts.at("_MaxSmallSize") == runtime::_MaxSmallSize);
  CHECK(consts.at("smallSizeDiv") == runtime::smallSizeDiv);
  CHECK(consts.at("smallSizeMax") == runtime::smallSizeMax);
  CHECK(consts.at("largeSizeDiv") == runtime::largeSizeDiv);
  CHECK(consts.at("_NumSizeClasses") == runtime::_NumSizeClasses);
  CHECK(consts.at("_PageShift") == runtime::_PageShift);
  CHECK(consts.at("maxObjsPerSpan") == runtime::maxObjsPerSpan);

  // The tables: each entry a number, or ^uint32(0)/N + 1 for the magic.
  auto table = [&](const std::string& name) {
    std::vector<uint64_t> out;
    size_t at = src.find("var " + name + " = [");
    REQUIRE(at != std::string::npos);
    size_t open = src.find('{', at), close = src.find('}', at);
    std::istringstream body(src.substr(open + 1, close - open - 1));
    for (std::string entry; std::getline(body, entry, ',');) {
      entry = trim(entry);
      const std::string magic = "^uint32(0)/";
      if (entry.rfind(magic, 0) == 0) {
        out.push_back(uint64_t(~uint32_t(0) / std::stoul(entry.substr(magic.size())) + 1));
      } else {
        out.push_back(std::stoull(entry));
      }
    }
    return out;
  };
  auto check = [&](const std::string& name, const auto& ours) {
    std::vector<uint64_t> want = table(name);
    size_t n = sizeof(ours) / sizeof(ours[0]);
    INFO(name);
    REQUIRE(want.size() == n);
    for (size_t i = 0; i < n; i++) {
      INFO("index " << i);
      CHECK(uint64_t(ours[i]) == want[i]);
    }
  };
  check("class_to_size", runtime::class_to_size);
  check("class_to_allocnpages", runtime::class_to_allocnpages);
  check("class_to_divmagic", runtime::class_to_divmagic);
  check("size_to_class8", runtime::size_to_class8);
  check("size_to_class128", runtime::size_to_class128);
}

// The port's check of ASan support (malloc.cpp, mcentral.cpp): an object
// mallocgc hands out is addressable up to its size and poisoned past it
// (the redzone), and the rest of a fresh span, not yet handed out, is
// poisoned, so a use of memory the allocator does not consider live is an
// AddressSanitizer report.
TEST_CASE("gort: AddressSanitizer sees only live heap objects", "[gort]") {
#ifndef GORT_ASAN
  SKIP("not an AddressSanitizer build");
#else
  auto* x = Escape(newobject<obj100>());
  CHECK(__asan_region_is_poisoned(x, sizeof(obj100)) == nullptr);
  // The redzone right after it.
  CHECK(__asan_address_is_poisoned(reinterpret_cast<uint8_t*>(x) + sizeof(obj100)));
  // The next slot of the span, if the allocator counts it free: objects of
  // this size class come from one span per P in address order, and its
  // spans are one 8 KiB page, with no pointer bitmap (obj100 is noscan). In
  // a span reused after a sweep the next slot may hold a live object of an
  // earlier test (seen once at GOMAXPROCS=4), so the poison is read first
  // and the slot's allocation bit after: poisoned, or not free.
  auto* y = Escape(newobject<obj100>());
  uintptr_t slot = uintptr_t(y) - uintptr_t(x);
  if (slot > 0 && (uintptr_t(y) & 8191) + 2 * slot <= 8192) {
    uintptr_t next = uintptr_t(y) + slot;
    bool poisoned = __asan_address_is_poisoned(reinterpret_cast<uint8_t*>(next));
    runtime::mspan* s = runtime::spanOfHeap(next);
    CHECK((poisoned || !s->isFree(s->objIndex(next))));
  }
  // A large object: addressable in full, poisoned past its end.
  auto* big = Escape(newobject<acLink>());
  CHECK(__asan_region_is_poisoned(big, sizeof(acLink)) == nullptr);
  CHECK(__asan_address_is_poisoned(reinterpret_cast<uint8_t*>(big) + sizeof(acLink)));
#endif
}
