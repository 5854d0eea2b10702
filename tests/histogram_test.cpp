// histogram_test.cpp: the tests of go1.22.12 runtime/histogram_test.go,
// translated test by test: timeHistogram's buckets (histogram.cpp), through
// export_test's TimeHistogram.
#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include "export_test.hpp"
#include "go.hpp"

namespace {
// A global, as Go's is (there, so that it is 8-byte aligned on 32-bit
// platforms; here it matches Go).
runtime::TimeHistogram dummyTimeHistogram;
}  // namespace

using runtime::TimeHistMaxBucketBits;
using runtime::TimeHistMinBucketBits;
using runtime::TimeHistNumBuckets;
using runtime::TimeHistNumSubBuckets;
using runtime::TimeHistSubBucketBits;

// histogram_test.go:15 at go1.22.12
TEST_CASE("TestTimeHistogram", "[histogram_test.go]") {
  runtime::TimeHistogram* h = &dummyTimeHistogram;

  // Record each bucket's index as many times as its index: bucket 0's
  // sub-buckets first, then every other bucket's.
  for (int j = 0; j < TimeHistNumSubBuckets; j++) {
    int64_t v = int64_t(j) << (TimeHistMinBucketBits - 1 - TimeHistSubBucketBits);
    for (int k = 0; k < j; k++) h->Record(v);
  }
  for (int i = TimeHistMinBucketBits; i < TimeHistMaxBucketBits; i++) {
    int64_t base = int64_t(1) << (i - 1);
    for (int j = 0; j < TimeHistNumSubBuckets; j++) {
      int64_t v = int64_t(j) << (i - 1 - TimeHistSubBucketBits);
      for (int k = 0; k < (i + 1 - TimeHistMinBucketBits) * TimeHistNumSubBuckets + j; k++) h->Record(base + v);
    }
  }
  // The underflow and overflow counts.
  h->Record(-1);
  h->Record(std::numeric_limits<int64_t>::max());
  h->Record(std::numeric_limits<int64_t>::max());

  // Each bucket's count is its index.
  for (int i = 0; i < TimeHistNumBuckets; i++) {
    for (int j = 0; j < TimeHistNumSubBuckets; j++) {
      auto [c, ok] = h->Count(i, j);
      uint64_t idx = uint64_t(i * TimeHistNumSubBuckets + j);
      if (!ok) {
        FAIL_CHECK("unexpected invalid bucket: (" << i << ", " << j << ")");
      } else {
        INFO("bucket (" << i << ", " << j << ") has count that is not " << idx << ": " << c);
        CHECK(c == idx);
      }
    }
  }
  {
    auto [c, ok] = h->Count(-1, 0);
    INFO("expected to hit underflow bucket: (-1, 0)");
    CHECK_FALSE(ok);
    INFO("overflow bucket has count that is not 1: " << c);
    CHECK(c == 1);
  }
  {
    auto [c, ok] = h->Count(TimeHistNumBuckets + 1, 0);
    INFO("expected to hit overflow bucket: (" << TimeHistNumBuckets + 1 << ", 0)");
    CHECK_FALSE(ok);
    INFO("overflow bucket has count that is not 2: " << c);
    CHECK(c == 2);
  }

  // dummyTimeHistogram = TimeHistogram{}
  for (auto& c : h->counts) c.Store(0);
  h->underflow.Store(0);
  h->overflow.Store(0);
}

// histogram_test.go:76 at go1.22.12
TEST_CASE("TestTimeHistogramMetricsBuckets", "[histogram_test.go]") {
  gort::slice<double> buckets = runtime::TimeHistogramMetricsBuckets();

  int nonInfBucketsLen = TimeHistNumSubBuckets * TimeHistNumBuckets;
  int expBucketsLen = nonInfBucketsLen + 3;  // -Inf, the overflow bucket's lower edge, +Inf
  INFO("unexpected length of buckets: got " << gort::len(buckets) << ", want " << expBucketsLen);
  REQUIRE(gort::len(buckets) == expBucketsLen);
  // Some of the values.
  const double inf = std::numeric_limits<double>::infinity();
  std::map<int, double> idxToBucket = {
      {0, -inf},
      {1, 0.0},
      {2, double(0x040) / 1e9},
      {3, double(0x080) / 1e9},
      {4, double(0x0c0) / 1e9},
      {5, double(0x100) / 1e9},
      {6, double(0x140) / 1e9},
      {7, double(0x180) / 1e9},
      {8, double(0x1c0) / 1e9},
      {9, double(0x200) / 1e9},
      {10, double(0x280) / 1e9},
      {11, double(0x300) / 1e9},
      {12, double(0x380) / 1e9},
      {13, double(0x400) / 1e9},
      {15, double(0x600) / 1e9},
      {81, double(0x8000000) / 1e9},
      {82, double(0xa000000) / 1e9},
      {108, double(0x380000000) / 1e9},
      {expBucketsLen - 2, double(int64_t(1) << 47) / 1e9},
      {expBucketsLen - 1, inf},
  };
  for (auto [idx, bucket] : idxToBucket) {
    INFO("expected bucket " << idx << " to have value " << bucket << ", got " << buckets[idx]);
    CHECK(buckets[idx] == bucket);
  }
}
