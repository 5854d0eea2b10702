// metrics/value.hpp: a metric's value, mirroring src/runtime/metrics/value.go
// and histogram.go at go1.22.12. #include <gort/metrics/value.hpp>;
// namespace gort::metrics.
//
// The runtime writes a Value through its own copy of the type
// (runtime::metricValue, metrics.hpp), so the two must keep one layout:
// the kind, a scalar word, a GC reference to a histogram.
#pragma once
#include <cstdint>

#include "../slice.hpp"
#include "../type.hpp"

namespace gort::metrics {

/// ValueKind: which of its types a Value holds. \gosrc{metrics/value.go,ValueKind}
enum ValueKind : int {
  KindBad,               // no value: the metric is not supported
  KindUint64,            // Uint64
  KindFloat64,           // Float64
  KindFloat64Histogram,  // Float64Histogram
};

/// Float64Histogram: a distribution of float64 values. Counts[i] is the
/// number of values in [Buckets[i], Buckets[i+1]); so Buckets has one more
/// element than Counts, and its first and last may be -Inf and +Inf.
/// \gosrc{metrics/histogram.go,Float64Histogram}
struct Float64Histogram {
  gort::slice<uint64_t> Counts;
  gort::slice<double> Buckets;
};

/// Value: one metric's value, of the kind Kind() says. A histogram is a
/// heap object the Value refers to; Read reuses it when the same Sample is
/// read again, so copy out what must outlive the next Read.
/// \gosrc{metrics/value.go,Value}
class Value {
 public:
  /// Kind: which type the value has. \gosrc{metrics/value.go,Value.Kind}
  ValueKind Kind() const { return kind; }
  /// Uint64: the value; panics unless Kind() is KindUint64.
  /// \gosrc{metrics/value.go,Value.Uint64}
  uint64_t Uint64() const;
  /// Float64: the value; panics unless Kind() is KindFloat64.
  /// \gosrc{metrics/value.go,Value.Float64}
  double Float64() const;
  /// Float64Histogram: the value; panics unless Kind() is
  /// KindFloat64Histogram. \gosrc{metrics/value.go,Value.Float64Histogram}
  struct Float64Histogram* Float64Histogram() const;

 private:
  ValueKind kind = KindBad;
  uint64_t scalar = 0;                                 // a scalar kind's value
  gort::ptr<struct Float64Histogram> pointer = nullptr;  // a histogram's value
};

static_assert(sizeof(Float64Histogram) == 32, "Float64Histogram: layout of runtime::metricFloat64Histogram");
static_assert(sizeof(Value) == 24, "Value: layout of runtime::metricValue");

}  // namespace gort::metrics
