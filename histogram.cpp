// histogram.cpp: timeHistogram, mirroring histogram.go at go1.22.12. See
// histogram.hpp for the buckets.
#include <bit>
#include <limits>

#include "metrics.hpp"
#include "runtime2.hpp"
#include "slice.hpp"

namespace runtime {

/// record counts one duration in its bucket. NOSPLIT (on its declaration,
/// histogram.hpp), as in Go: the scheduler records with the world stopping.
/// \gosrc{histogram.go,timeHistogram.record}
void timeHistogram::record(int64 duration) {
  // A clock may step back: count it rather than lose it.
  if (duration < 0) {
    underflow.Add(1);
    return;
  }
  // The bucket: the highest set bit (sys.Len64), or 0 below the first
  // bucketed bit; bucketBit is the bit the sub-bucket bits follow.
  uint bucketBit, bucket;
  if (uint l = uint(std::bit_width(uint64(duration))); l < timeHistMinBucketBits) {
    bucketBit = timeHistMinBucketBits;
    bucket = 0;
  } else {
    bucketBit = l;
    bucket = bucketBit - timeHistMinBucketBits + 1;
  }
  // Too long for the last bucket.
  if (bucket >= timeHistNumBuckets) {
    overflow.Add(1);
    return;
  }
  // The sub-bucket: the bits below bucketBit.
  uint subBucket = uint(duration >> (bucketBit - 1 - timeHistSubBucketBits)) % timeHistNumSubBuckets;
  counts[bucket * timeHistNumSubBuckets + subBucket].Add(1);
}

/// write copies the counts into a metric's histogram: the underflow count
/// first, then the buckets in order, then the overflow count (so the
/// buckets of timeHistogramMetricsBuckets run from -Inf to +Inf).
/// \gosrc{histogram.go,timeHistogram.write}
void timeHistogram::write(metricValue* out) {
  metricFloat64Histogram* hist = out->float64HistOrInit(timeHistBuckets);
  hist->counts[0] = underflow.Load();
  for (uint i = 0; i < timeHistNumBuckets * timeHistNumSubBuckets; i++) hist->counts[int(i + 1)] = counts[i].Load();
  hist->counts[hist->counts.len - 1] = overflow.Load();
}

/// \gosrc{histogram.go,float64Inf}
double float64Inf() { return std::numeric_limits<double>::infinity(); }

/// \gosrc{histogram.go,float64NegInf}
double float64NegInf() { return -std::numeric_limits<double>::infinity(); }

/// timeHistogramMetricsBuckets: the boundaries, in seconds, of a
/// timeHistogram's buckets as runtime/metrics reports them:
/// timeHistTotalBuckets+1 of them, from -Inf (the underflow bucket's lower
/// edge) to +Inf (the overflow bucket's upper edge).
/// \gosrc{histogram.go,timeHistogramMetricsBuckets}
gort::slice<double> timeHistogramMetricsBuckets() {
  gort::slice<double> b = gort::make<double>(timeHistTotalBuckets + 1);
  // The underflow bucket: everything below 0.
  b[0] = float64NegInf();
  // Bucket 0's sub-buckets, from 0 (all the values below the first
  // bucketed bit share this bucket).
  for (uint j = 0; j < timeHistNumSubBuckets; j++) {
    uint64 bucketNanos = uint64(j) << (timeHistMinBucketBits - 1 - timeHistSubBucketBits);
    b[int(j + 1)] = double(bucketNanos) / 1e9;
  }
  // The other buckets: the bucket's bit, then the sub-bucket's bits.
  for (uint i = timeHistMinBucketBits; i < timeHistMaxBucketBits; i++) {
    for (uint j = 0; j < timeHistNumSubBuckets; j++) {
      uint64 bucketNanos = uint64(1) << (i - 1);
      bucketNanos |= uint64(j) << (i - 1 - timeHistSubBucketBits);
      uint bucketIndex = (i - timeHistMinBucketBits + 1) * timeHistNumSubBuckets + j + 1;
      b[int(bucketIndex)] = double(bucketNanos) / 1e9;
    }
  }
  // The overflow bucket: from the end of the last bucket to +Inf.
  b[b.len - 2] = double(uint64(1) << (timeHistMaxBucketBits - 1)) / 1e9;
  b[b.len - 1] = float64Inf();
  return b;
}

}  // namespace runtime
