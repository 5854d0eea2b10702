// bench/metrics_bench.cpp: the benchmark of runtime/metrics_test.go
// (go1.22.12) under its Go name, BenchmarkReadMetricsLatency: how long one
// metrics.Read of every supported metric takes while other goroutines keep
// the collector busy, as percentiles reported through b.ReportMetric.
//
// How a Go benchmark maps onto Google Benchmark: bench/testing.hpp.
//
// The load is gc_bench.cpp's applyGCLoad (Go's package runtime_test shares
// it between gc_test.go and metrics_test.go). "Every supported metric" is
// the port's list (metrics::All), a subset of Go's: metrics.cpp names the
// ones it leaves out.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>

#include "go.hpp"
#include "metrics/metrics.hpp"
#include "metrics_samples.hpp"
#include "slice.hpp"
#include "testing.hpp"
#include "time/time.hpp"

namespace gort_bench {
// gc_bench.cpp (gc_test.go's applyGCLoad).
std::function<void()> applyGCLoad(B& b);
}  // namespace gort_bench

namespace {

using namespace gort_bench;
using gort::time::Duration;

using metrics_test::prepareAllMetricsSamples;
using metrics_test::samples_t;

/// metrics_test.go:438 at go1.22.12: b.N calls of metrics.Read over every
/// supported metric, each timed, while applyGCLoad keeps the collector busy;
/// the result is the 50th, 90th and 99th percentile of those times as
/// p50-ns, p90-ns and p99-ns (b.ReportMetric), with ns/op reported as 0
/// (none), as in Go. Go also zeroes B/op and allocs/op, which gort's
/// harness does not report (bench/testing.hpp).
void BenchmarkReadMetricsLatency(B& b) {
  auto stop = applyGCLoad(b);
  if (b.Skipped()) return;

  // Room for the measurements, made before the timer starts.
  auto latencies = gort::make<Duration>(0, 1024);
  auto [descs, samples] = prepareAllMetricsSamples();
  (void)descs;

  // Read again and again, each one timed.
  b.ResetTimer();
  for (int64_t i = 0; i < b.N; i++) {
    auto start = gort::time::Now();
    gort::metrics::Read(samples);
    latencies = gort::append(latencies, gort::time::Since(start));
  }
  // The timer stops before the load does: stopping it waits for the trees
  // being built, which a small b.N would otherwise count.
  b.StopTimer();
  stop();

  // No ns/op (Go's comment speaks of a sleep in the loop, which this one
  // does not have; the mean is dropped all the same).
  b.ReportMetric(0, "ns/op");
  b.ReportMetric(0, "B/op");
  b.ReportMetric(0, "allocs/op");

  // The percentiles, from the sorted times.
  std::sort(latencies.begin(), latencies.end());
  b.ReportMetric(double(latencies[gort::len(latencies) * 50 / 100]), "p50-ns");
  b.ReportMetric(double(latencies[gort::len(latencies) * 90 / 100]), "p90-ns");
  b.ReportMetric(double(latencies[gort::len(latencies) * 99 / 100]), "p99-ns");
}

void registerAll() { registerGo("BenchmarkReadMetricsLatency", BenchmarkReadMetricsLatency); }

/// Runs registerAll during static initialization, before Google Benchmark
/// reads the registry (as the BENCHMARK macro does).
const bool registered = (registerAll(), true);

}  // namespace
