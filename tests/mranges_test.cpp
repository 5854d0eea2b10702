// mranges_test.cpp: the address-range tests of go1.22.12
// runtime/mranges_test.go, translated test by test, every table entry kept
// (translation rules: mpallocbits_test.cpp).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "export_mpagealloc_test.hpp"

namespace {

using runtime::AddrRange;
using runtime::AddrRanges;
using runtime::MakeAddrRange;
using runtime::MakeAddrRanges;
using runtime::NewAddrRanges;
using runtime::uintptr;

std::string str(const std::vector<AddrRange>& rs) {
  std::string s = "[";
  for (const AddrRange& r : rs) {
    char buf[64];
    snprintf(buf, sizeof buf, "{0x%lx 0x%lx}", r.Base(), r.Limit());
    if (s.size() > 1) s += " ";
    s += buf;
  }
  return s + "]";
}

// mranges_test.go:12 at go1.22.12
void validateAddrRanges(AddrRanges* a, const std::vector<AddrRange>& want) {
  std::vector<AddrRange> ranges = a->Ranges();
  INFO("want " << str(want) << ", got " << str(ranges));
  REQUIRE(ranges.size() == want.size());  // "different lengths"
  uintptr gotTotalBytes = 0;
  uintptr wantTotalBytes = 0;
  for (size_t i = 0; i < ranges.size(); i++) {
    gotTotalBytes += ranges[i].Size();
    wantTotalBytes += want[i].Size();
    INFO("range " << i);
    CHECK(ranges[i].Base() < ranges[i].Limit());  // "empty range found"
    // Equal to what we want.
    CHECK(ranges[i].Equals(want[i]));
    if (i != 0) {
      // Sorted.
      CHECK(ranges[i - 1].Base() < ranges[i].Base());  // "out of sorted order"
      // Coalesced.
      CHECK(ranges[i - 1].Limit() != ranges[i].Base());  // "should have coalesced"
      // Not overlapping (sorted, so neighbours suffice).
      CHECK(ranges[i - 1].Limit() <= ranges[i].Base());  // "overlap"
    }
  }
  CHECK(wantTotalBytes == gotTotalBytes);
  CHECK(a->TotalBytes() == gotTotalBytes);  // "inconsistent total bytes"
}

// mranges_test.go:61 at go1.22.12
TEST_CASE("TestAddrRangesAdd", "[mranges_test.go]") {
  AddrRanges a = NewAddrRanges();

  // First range.
  a.Add(MakeAddrRange(512, 1024));
  validateAddrRanges(&a, {MakeAddrRange(512, 1024)});

  // Coalesce up.
  a.Add(MakeAddrRange(1024, 2048));
  validateAddrRanges(&a, {MakeAddrRange(512, 2048)});

  // Add new independent range.
  a.Add(MakeAddrRange(4096, 8192));
  validateAddrRanges(&a, {MakeAddrRange(512, 2048), MakeAddrRange(4096, 8192)});

  // Coalesce down.
  a.Add(MakeAddrRange(3776, 4096));
  validateAddrRanges(&a, {MakeAddrRange(512, 2048), MakeAddrRange(3776, 8192)});

  // Coalesce up and down.
  a.Add(MakeAddrRange(2048, 3776));
  validateAddrRanges(&a, {MakeAddrRange(512, 8192)});

  // Push a bunch of independent ranges to the end to try and force growth.
  std::vector<AddrRange> expectedRanges = {MakeAddrRange(512, 8192)};
  for (uintptr i = 0; i < 64; i++) {
    AddrRange dRange = MakeAddrRange(8192 + (i + 1) * 2048, 8192 + (i + 1) * 2048 + 10);
    a.Add(dRange);
    expectedRanges.push_back(dRange);
    validateAddrRanges(&a, expectedRanges);
  }

  // Push a bunch of independent ranges to the beginning to try and force growth.
  std::vector<AddrRange> bottomRanges;
  for (uintptr i = 0; i < 63; i++) {
    AddrRange dRange = MakeAddrRange(8 + i * 8, 8 + i * 8 + 4);
    a.Add(dRange);
    bottomRanges.push_back(dRange);
    std::vector<AddrRange> all = bottomRanges;
    all.insert(all.end(), expectedRanges.begin(), expectedRanges.end());
    validateAddrRanges(&a, all);
  }
}

// mranges_test.go:115 at go1.22.12
TEST_CASE("TestAddrRangesFindSucc", "[mranges_test.go]") {
  std::vector<AddrRange> large;
  for (int i = 0; i < 100; i++) large.push_back(MakeAddrRange(5 + uintptr(i) * 5, 5 + uintptr(i) * 5 + 3));

  struct testt {
    std::string name;
    uintptr base;
    int expect;
    std::vector<AddrRange> ranges;
  };
  std::vector<testt> tests = {
      {"Empty", 12, 0, {}},
      {"OneBefore", 12, 0, {MakeAddrRange(14, 16)}},
      {"OneWithin", 14, 1, {MakeAddrRange(14, 16)}},
      {"OneAfterLimit", 16, 1, {MakeAddrRange(14, 16)}},
      {"OneAfter", 17, 1, {MakeAddrRange(14, 16)}},
      {"ThreeBefore", 3, 0, {MakeAddrRange(6, 10), MakeAddrRange(12, 16), MakeAddrRange(19, 22)}},
      {"ThreeAfter", 24, 3, {MakeAddrRange(6, 10), MakeAddrRange(12, 16), MakeAddrRange(19, 22)}},
      {"ThreeBetween", 11, 1, {MakeAddrRange(6, 10), MakeAddrRange(12, 16), MakeAddrRange(19, 22)}},
      {"ThreeWithin", 9, 1, {MakeAddrRange(6, 10), MakeAddrRange(12, 16), MakeAddrRange(19, 22)}},
      {"Zero", 0, 1, {MakeAddrRange(0, 10)}},
      {"Max", ~uintptr(0), 1, {MakeAddrRange(~uintptr(0) - 5, ~uintptr(0))}},
      {"LargeBefore", 2, 0, large},
      {"LargeAfter", 5 + uintptr(large.size()) * 5 + 30, int(large.size()), large},
      {"LargeBetweenLow", 14, 2, large},
      {"LargeBetweenHigh", 249, 49, large},
      {"LargeWithinLow", 25, 5, large},
      {"LargeWithinHigh", 396, 79, large},
      {"LargeWithinMiddle", 250, 50, large},
  };

  for (const testt& test : tests) {
    DYNAMIC_SECTION(test.name) {
      AddrRanges a = MakeAddrRanges(test.ranges);
      int i = a.FindSucc(test.base);
      REQUIRE(i == test.expect);
    }
  }
}

}  // namespace
