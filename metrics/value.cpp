// metrics/value.cpp: Value's accessors, mirroring
// src/runtime/metrics/value.go at go1.22.12. See value.hpp.
#include "value.hpp"

#include <bit>

#include "../go.hpp"

namespace gort::metrics {

/// \gosrc{metrics/value.go,Value.Uint64}
uint64_t Value::Uint64() const {
  if (kind != KindUint64) panic("called Uint64 on non-uint64 metric value");
  return scalar;
}

/// \gosrc{metrics/value.go,Value.Float64}
double Value::Float64() const {
  if (kind != KindFloat64) panic("called Float64 on non-float64 metric value");
  return std::bit_cast<double>(scalar);
}

/// \gosrc{metrics/value.go,Value.Float64Histogram}
struct Float64Histogram* Value::Float64Histogram() const {
  if (kind != KindFloat64Histogram) panic("called Float64Histogram on non-Float64Histogram metric value");
  return pointer.get();
}

}  // namespace gort::metrics
