// histogram.hpp: timeHistogram, a distribution of durations, mirroring
// histogram.go at go1.22.12. The scheduler records each stop of the world
// in two of them (sched.stwStoppingTime*, sched.stwTotalTime*), which
// runtime/metrics reports as /sched/pauses/... and /gc/pauses:seconds.
//
// The buckets (an HDR histogram). A duration's bucket is the position of its
// highest set bit; the timeHistSubBucketBits bits below that bit choose one of
// timeHistNumSubBuckets equal sub-buckets, so the error is at most a quarter
// of the bucket's base. Durations below 2^(timeHistMinBucketBits-1) ns (256 ns)
// all go to bucket 0, sub-bucketed the same way; from 2^(timeHistMaxBucketBits-1)
// ns (about 39 hours) on they go to an overflow count, and negative ones (a
// clock that stepped back) to an underflow count. For example, with these
// constants:
//
//   duration (binary)  highest bit   next two bits   bucket, sub-bucket
//   0 1100 0001        below bit 9   11              0, 3
//   1 1000 0001        bit 9         10              1, 2
//   10 0000 0010       bit 10        00              2, 0
//
// Include runtime2.hpp (or proc.hpp), not this file: the scheduler's sched
// embeds four histograms, so runtime2.hpp includes it after the basic
// types, as it does mgclimit.hpp.
#pragma once
#ifndef GORT_RUNTIME2_BASE
#error "include runtime2.hpp (or proc.hpp), which includes histogram.hpp"
#endif

namespace gort {
template <class T>
struct slice;
}  // namespace gort

namespace runtime {

/// The histogram's shape. \gosrc{histogram.go,timeHistMinBucketBits}
inline constexpr uint timeHistMinBucketBits = 9;
/// One above the highest bit bucketed: exclusive.
inline constexpr uint timeHistMaxBucketBits = 48;
inline constexpr uint timeHistSubBucketBits = 2;
inline constexpr uint timeHistNumSubBuckets = 1 << timeHistSubBucketBits;
inline constexpr uint timeHistNumBuckets = timeHistMaxBucketBits - timeHistMinBucketBits + 1;
/// With the underflow and overflow counts.
inline constexpr uint timeHistTotalBuckets = timeHistNumBuckets * timeHistNumSubBuckets + 2;

struct metricValue;

/// timeHistogram: counts of durations in nanoseconds, by bucket. Safe to
/// record into and read from concurrently. \gosrc{histogram.go,timeHistogram}
struct timeHistogram {
  atomic::Uint64 counts[timeHistNumBuckets * timeHistNumSubBuckets];
  atomic::Uint64 underflow;  // negative durations
  atomic::Uint64 overflow;   // durations beyond the last bucket

  NOSPLIT void record(int64 duration);
  void write(metricValue* out);
};

/// float64Inf, float64NegInf: +Inf and -Inf. \gosrc{histogram.go,float64Inf}
double float64Inf();
/// \gosrc{histogram.go,float64NegInf}
double float64NegInf();

gort::slice<double> timeHistogramMetricsBuckets();

}  // namespace runtime
