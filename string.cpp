// string.cpp: the number parsers of string.go at go1.22.12 (see
// string.hpp). They accept exactly what Go's do: an optional '-', then
// decimal digits only (no '+', no spaces, no base prefixes), and report
// overflow as failure rather than saturating.
#include "string.hpp"

namespace runtime {

/// atoi64: s as a decimal int64, and whether it was one (an optional
/// leading '-', then digits; overflow fails). Like Go's, a lone "-" parses
/// as 0. \gosrc{string.go,atoi64}
std::tuple<int64, bool> atoi64(std::string_view s) {
  if (s.empty()) {
    return {0, false};
  }

  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s = s.substr(1);
  }

  uint64 un = 0;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (c < '0' || c > '9') {
      return {0, false};
    }
    if (un > maxUint64 / 10) {
      // Would overflow.
      return {0, false};
    }
    un *= 10;
    uint64 un1 = un + uint64(c) - '0';
    if (un1 < un) {
      // Overflowed.
      return {0, false};
    }
    un = un1;
  }

  if (!neg && un > uint64(maxInt64)) {
    return {0, false};
  }
  if (neg && un > uint64(maxInt64) + 1) {
    return {0, false};
  }

  int64 n = int64(un);
  if (neg) {
    n = int64(uint64(0) - un);  // -n, defined for the most negative int64 too
  }

  return {n, true};
}

/// atoi: atoi64 for Go's int, which is 64 bits on amd64, so every int64
/// fits (Go's range check is kept for its shape). \gosrc{string.go,atoi}
std::tuple<int64, bool> atoi(std::string_view s) {
  if (auto [n, ok] = atoi64(s); n == int64(int64(n))) {
    return {n, ok};
  }
  return {0, false};
}

/// atoi32: atoi64, failing unless the value fits an int32.
/// \gosrc{string.go,atoi32}
std::tuple<int32, bool> atoi32(std::string_view s) {
  if (auto [n, ok] = atoi64(s); n == int64(int32(n))) {
    return {int32(n), ok};
  }
  return {0, false};
}

/// parseByteCount: a byte count as GOMEMLIMIT spells it: digits, with an
/// optional suffix B, KiB, MiB, GiB or TiB (powers of 1024; no SI units).
/// Fails on anything else, on a negative count, and on a result above
/// maxInt64. \gosrc{string.go,parseByteCount}
std::tuple<int64, bool> parseByteCount(std::string_view s) {
  // Empty is not a count.
  if (s.empty()) {
    return {0, false};
  }
  // No suffix: the last character is a digit.
  char last = s[s.size() - 1];
  if (last >= '0' && last <= '9') {
    auto [n, ok] = atoi64(s);
    if (!ok || n < 0) {
      return {0, false};
    }
    return {n, ok};
  }
  // Otherwise the count ends in 'B', after at least one more character.
  if (last != 'B' || s.size() < 2) {
    return {0, false};
  }
  // Before the 'B': a digit (plain bytes) or the 'i' of a binary prefix.
  if (char c = s[s.size() - 2]; c >= '0' && c <= '9') {
    auto [n, ok] = atoi64(s.substr(0, s.size() - 1));
    if (!ok || n < 0) {
      return {0, false};
    }
    return {n, ok};
  } else if (c != 'i') {
    return {0, false};
  }
  // A prefix takes three characters; one digit at least comes before it.
  if (s.size() < 4) {
    return {0, false};
  }
  int power = 0;
  switch (s[s.size() - 3]) {
    case 'K':
      power = 1;
      break;
    case 'M':
      power = 2;
      break;
    case 'G':
      power = 3;
      break;
    case 'T':
      power = 4;
      break;
    default:
      // Not a prefix we know.
      return {0, false};
  }
  uint64 m = 1;
  for (int i = 0; i < power; i++) {
    m *= 1024;
  }
  auto [n, ok] = atoi64(s.substr(0, s.size() - 3));
  if (!ok || n < 0) {
    return {0, false};
  }
  uint64 un = uint64(n);
  if (un > maxUint64 / m) {
    // The multiplication would overflow.
    return {0, false};
  }
  un *= m;
  if (un > uint64(maxInt64)) {
    // Too big for an int64.
    return {0, false};
  }
  return {int64(un), true};
}

}  // namespace runtime
