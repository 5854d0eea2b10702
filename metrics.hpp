// metrics.hpp: the runtime's half of package runtime/metrics, mirroring
// metrics.go at go1.22.12: the table of supported metrics, the aggregates
// of statistics they are computed from, and readMetrics, which package
// metrics' Read reaches by symbol (metrics/sample.hpp). The user's half
// (Sample, Value, Description, All, Read) is in metrics/.
//
// metricSample, metricValue and metricFloat64Histogram are the runtime's
// copies of metrics.Sample, metrics.Value and metrics.Float64Histogram: the
// runtime writes the user's samples through them, so each pair must have
// the same layout (both sides static_assert the sizes below).
#pragma once
#include <string_view>

#include "mstats.hpp"
#include "runtime2.hpp"
#include "slice.hpp"
#include "type.hpp"

namespace runtime {

/// metricKind: the runtime's copy of metrics.ValueKind, same values.
/// \gosrc{metrics.go,metricKind}
enum metricKind : int {
  metricKindBad,
  metricKindUint64,
  metricKindFloat64,
  metricKindFloat64Histogram,
};

/// metricFloat64Histogram: the runtime's copy of metrics.Float64Histogram.
/// \gosrc{metrics.go,metricFloat64Histogram}
struct metricFloat64Histogram {
  gort::slice<uint64> counts;
  gort::slice<double> buckets;
};

/// metricValue: the runtime's copy of metrics.Value. pointer is a GC
/// reference (Go: unsafe.Pointer), so storing it carries the write barrier.
/// \gosrc{metrics.go,metricValue}
struct metricValue {
  metricKind kind;
  uint64 scalar;                            // the value of a scalar kind
  gort::ptr<metricFloat64Histogram> pointer;  // the value of a histogram

  metricFloat64Histogram* float64HistOrInit(gort::slice<double> buckets);
};

/// metricSample: the runtime's copy of metrics.Sample. Departure: the name
/// is a std::string_view (the port has no Go string type).
/// \gosrc{metrics.go,metricSample}
struct metricSample {
  std::string_view name;
  metricValue value;
};

// The layouts package metrics must match (metrics/value.hpp checks the same).
static_assert(sizeof(metricFloat64Histogram) == 32, "metricFloat64Histogram layout");
static_assert(sizeof(metricValue) == 24, "metricValue layout");
static_assert(sizeof(metricSample) == 40, "metricSample layout");

extern gort::slice<double> sizeClassBuckets;
extern gort::slice<double> timeHistBuckets;

void metricsLock();
void metricsUnlock();
void initMetrics();
void readMetrics(metricSample* samplesp, int len, int cap);
void readMetricsLocked(metricSample* samplesp, int len, int cap);
int readMetricNames(std::string_view* list, int cap);

}  // namespace runtime
