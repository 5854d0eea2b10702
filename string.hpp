// string.hpp: string.go at go1.22.12, so far only its number parsers, which
// the runtime reads its environment with (GOGC through atoi32, GOMEMLIMIT
// through parseByteCount, GOMAXPROCS and GODEBUG values through atoi32),
// and the integer limits beside them. Functions in string.cpp.
//
// Departure: Go's string is a (pointer, length) pair; these take a
// std::string_view, the same pair, and allocate nothing. The rest of
// string.go (concatenation, conversions to and from byte and rune slices)
// belongs with Go strings, which the port does not have.
#pragma once
#include <string_view>
#include <tuple>

#include "runtime2.hpp"

namespace runtime {

/// maxUint64, maxInt64: the largest uint64 and int64. \gosrc{string.go,maxUint64}
inline constexpr uint64 maxUint64 = ~uint64(0);
inline constexpr int64 maxInt64 = int64(maxUint64 >> 1);

std::tuple<int64, bool> atoi64(std::string_view s);
std::tuple<int64, bool> atoi(std::string_view s);
std::tuple<int32, bool> atoi32(std::string_view s);
std::tuple<int64, bool> parseByteCount(std::string_view s);

}  // namespace runtime
