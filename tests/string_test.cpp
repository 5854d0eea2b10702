// string_test.cpp: the tests of go1.22.12 runtime/string_test.go for the
// number parsers the runtime reads its environment with (string.cpp:
// atoi64, atoi, atoi32, parseByteCount; GOGC and GOMEMLIMIT go through
// them), called as Go's tests call them, by the names export_test.go gives
// them (Atoi, Atoi32, ParseByteCount: export_test.hpp). Every table entry
// kept. The rest of string_test.go tests Go strings, which the port does
// not have, and is out of the inventory's scope (tests/inventory/covered.txt).
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <string_view>

#include "export_test.hpp"

namespace {

struct atoi64Test {
  std::string_view in;
  int64_t out;
  bool ok;
};

struct atoi32Test {
  std::string_view in;
  int32_t out;
  bool ok;
};

// string_test.go:399 at go1.22.12
constexpr atoi64Test atoi64tests[] = {
      {"", 0, false},
      {"0", 0, true},
      {"-0", 0, true},
      {"1", 1, true},
      {"-1", -1, true},
      {"12345", 12345, true},
      {"-12345", -12345, true},
      {"012345", 12345, true},
      {"-012345", -12345, true},
      {"12345x", 0, false},
      {"-12345x", 0, false},
      {"98765432100", 98765432100, true},
      {"-98765432100", -98765432100, true},
      {"20496382327982653440", 0, false},
      {"-20496382327982653440", 0, false},
      {"9223372036854775807", INT64_MAX, true},
      {"-9223372036854775807", -INT64_MAX, true},
      {"9223372036854775808", 0, false},
      {"-9223372036854775808", INT64_MIN, true},
      {"9223372036854775809", 0, false},
      {"-9223372036854775809", 0, false},
};

// string_test.go:452 at go1.22.12
constexpr atoi32Test atoi32tests[] = {
      {"", 0, false},
      {"0", 0, true},
      {"-0", 0, true},
      {"1", 1, true},
      {"-1", -1, true},
      {"12345", 12345, true},
      {"-12345", -12345, true},
      {"012345", 12345, true},
      {"-012345", -12345, true},
      {"12345x", 0, false},
      {"-12345x", 0, false},
      {"987654321", 987654321, true},
      {"-987654321", -987654321, true},
      {"2147483647", INT32_MAX, true},
      {"-2147483647", -INT32_MAX, true},
      {"2147483648", 0, false},
      {"-2147483648", INT32_MIN, true},
      {"2147483649", 0, false},
      {"-2147483649", 0, false},
};

// string_test.go:423 at go1.22.12 (Go's int is 64 bits
// here: the atoi64 table).
TEST_CASE("TestAtoi", "[string_test.go]") {
  for (const atoi64Test& test : atoi64tests) {
    auto [out, ok] = runtime::Atoi(test.in);
    INFO("atoi(\"" << test.in << "\") = (" << out << ", " << ok << ") want (" << test.out << ", " << test.ok << ")");
    CHECK((test.out == int64_t(out) && test.ok == ok));
  }
}

// string_test.go:474 at go1.22.12
TEST_CASE("TestAtoi32", "[string_test.go]") {
  for (const atoi32Test& test : atoi32tests) {
    auto [out, ok] = runtime::Atoi32(test.in);
    INFO("atoi32(\"" << test.in << "\") = (" << out << ", " << ok << ") want (" << test.out << ", " << test.ok
                      << ")");
    CHECK((test.out == out && test.ok == ok));
  }
}

// string_test.go:485 at go1.22.12
TEST_CASE("TestParseByteCount", "[string_test.go]") {
  constexpr atoi64Test tests[] = {
      {"1", 1, true},
      {"12345", 12345, true},
      {"012345", 12345, true},
      {"98765432100", 98765432100, true},
      {"9223372036854775807", INT64_MAX, true},
      {"1B", 1, true},
      {"12345B", 12345, true},
      {"012345B", 12345, true},
      {"98765432100B", 98765432100, true},
      {"9223372036854775807B", INT64_MAX, true},
      {"1KiB", int64_t(1) << 10, true},
      {"05KiB", int64_t(5) << 10, true},
      {"1MiB", int64_t(1) << 20, true},
      {"10MiB", int64_t(10) << 20, true},
      {"1GiB", int64_t(1) << 30, true},
      {"100GiB", int64_t(100) << 30, true},
      {"1TiB", int64_t(1) << 40, true},
      {"99TiB", int64_t(99) << 40, true},
      {"-0", 0, true},
      {"0", 0, true},
      {"0B", 0, true},
      {"0KiB", 0, true},
      {"0MiB", 0, true},
      {"0GiB", 0, true},
      {"0TiB", 0, true},
      {"", 0, false},
      {"-1", 0, false},
      {"a12345", 0, false},
      {"a12345B", 0, false},
      {"12345x", 0, false},
      {"0x12345", 0, false},
      {"9223372036854775808", 0, false},
      {"9223372036854775809", 0, false},
      {"18446744073709551615", 0, false},
      {"20496382327982653440", 0, false},
      {"18446744073709551616", 0, false},
      {"18446744073709551617", 0, false},
      {"9999999999999999999999", 0, false},
      {"9223372036854775808B", 0, false},
      {"9223372036854775809B", 0, false},
      {"18446744073709551615B", 0, false},
      {"20496382327982653440B", 0, false},
      {"18446744073709551616B", 0, false},
      {"18446744073709551617B", 0, false},
      {"9999999999999999999999B", 0, false},
      {"1Ki", 0, false},
      {"05Ki", 0, false},
      {"10Mi", 0, false},
      {"100Gi", 0, false},
      {"99Ti", 0, false},
      {"22iB", 0, false},
      {"B", 0, false},
      {"iB", 0, false},
      {"KiB", 0, false},
      {"MiB", 0, false},
      {"GiB", 0, false},
      {"TiB", 0, false},
      {"-120KiB", 0, false},
      {"-891MiB", 0, false},
      {"-704GiB", 0, false},
      {"-42TiB", 0, false},
      {"99999999999999999999KiB", 0, false},
      {"99999999999999999MiB", 0, false},
      {"99999999999999GiB", 0, false},
      {"99999999999TiB", 0, false},
      {"555EiB", 0, false},
      {"0KB", 0, false},
      {"0MB", 0, false},
      {"0GB", 0, false},
      {"0TB", 0, false},
      {"1KB", 0, false},
      {"05KB", 0, false},
      {"1MB", 0, false},
      {"10MB", 0, false},
      {"1GB", 0, false},
      {"100GB", 0, false},
      {"1TB", 0, false},
      {"99TB", 0, false},
      {"1K", 0, false},
      {"05K", 0, false},
      {"10M", 0, false},
      {"100G", 0, false},
      {"99T", 0, false},
      {"99999999999999999999KB", 0, false},
      {"99999999999999999MB", 0, false},
      {"99999999999999GB", 0, false},
      {"99999999999TB", 0, false},
      {"99999999999TiB", 0, false},
      {"555EB", 0, false},
  };
  for (const atoi64Test& test : tests) {
    auto [out, ok] = runtime::ParseByteCount(test.in);
    INFO("parseByteCount(\"" << test.in << "\") = (" << out << ", " << ok << ") want (" << test.out << ", "
                              << test.ok << ")");
    CHECK((test.out == out && test.ok == ok));
  }
}

}  // namespace
