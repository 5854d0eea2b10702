// tests/gcinfo_test.cpp: gcinfo_test.go (go1.22.12) under Go's names: the
// pointer maps the heap records for typed allocations (type.hpp's derived
// maps, written by heapSetType and read back through typePointers by
// getgcmask, mbitmap_allocheaders.cpp).
//
// How Go's types map: *T is gort::ptr<T>. Go's string and slice headers
// are spelled out as structs of the same shape (a gort::ptr and one or two
// int64s), so that the expected masks are Go's own: gort has no string
// type, and gort::slice<T>'s header is 16 bytes (slice.hpp's Departure),
// which tests/mbitmap_allocheaders_test.cpp checks separately.
//
// Departure: only the heap half of TestGCInfo. Its bss, data and stack
// cases read the linker's and the compiler's maps of globals and frames,
// which gort does not have (its collector scans those conservatively);
// its eface and iface cases need Go's interfaces, which C++ lacks.
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <vector>

#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"

namespace {

constexpr uint8_t typeScalar = 0;
constexpr uint8_t typePointer = 1;

using bytes = std::vector<uint8_t>;

/// Go's string header.
struct goString {
  gort::ptr<uint8_t> str;
  int64_t len;
};
/// Go's slice header.
template <class T>
struct goSlice {
  gort::ptr<T> array;
  int64_t len, cap;
};

struct Ptr {
  gort::ptr<uint8_t> p;
};

struct ScalarPtr {
  int64_t q;
  gort::ptr<int64_t> w;
  int64_t e;
  gort::ptr<int64_t> r;
  int64_t t;
  gort::ptr<int64_t> y;
};

struct PtrScalar {
  gort::ptr<int64_t> q;
  int64_t w;
  gort::ptr<int64_t> e;
  int64_t r;
  gort::ptr<int64_t> t;
  int64_t y;
};

struct BigStruct {
  gort::ptr<int64_t> q;
  uint8_t w;
  uint8_t e[17];
  goSlice<uint8_t> r;
  int64_t t;
  uint16_t y;
  uint64_t u;
  goString i;
};

const bytes infoPtr = {typePointer};
const bytes infoPtr10 = bytes(10, typePointer);
const bytes infoScalarPtr = {typeScalar, typePointer, typeScalar, typePointer, typeScalar, typePointer};
const bytes infoPtrScalar = {typePointer, typeScalar, typePointer, typeScalar, typePointer, typeScalar};
const bytes infoString = {typePointer, typeScalar};

bytes infoScalarPtr4() {
  bytes b;
  for (int i = 0; i < 4; i++) b.insert(b.end(), infoScalarPtr.begin(), infoScalarPtr.end());
  return b;
}

// gcinfo_test.go:159 at go1.22.12 (the amd64 case)
bytes infoBigStruct() {
  return {
      typePointer,                          // q *int
      typeScalar, typeScalar, typeScalar,   // w byte; e [17]byte
      typePointer, typeScalar, typeScalar,  // r []byte
      typeScalar, typeScalar, typeScalar,   // t int; y uint16; u uint64
      typePointer, typeScalar,              // i string
  };
}

// gcinfo_test.go:114 at go1.22.12
bytes trimDead(bytes mask) {
  while (!mask.empty() && mask.back() == typeScalar) mask.pop_back();
  return mask;
}

// gcinfo_test.go:97 at go1.22.12: the mask may run on past the type (the
// size class's tail is zero); the prefix must match.
template <class T>
void verifyGCInfo(const char* name, T* p, const bytes& mask0) {
  bytes mask = runtime::GCMaskOf(p, runtime::heapType<T>());
  bool prefix = mask.size() >= mask0.size() && std::equal(mask0.begin(), mask0.end(), mask.begin());
  auto show = [](const bytes& b) {
    std::string s = "[";
    for (size_t i = 0; i < b.size(); i++) s += (i ? " " : "") + std::to_string(b[i]);
    return s + "]";
  };
  INFO("bad GC program for " << name << ":\nwant " << show(mask0) << "\ngot  " << show(mask));
  CHECK(prefix);
}

}  // namespace

// gcinfo_test.go:19 at go1.22.12 (the heap cases; see the Departure above)
TEST_CASE("TestGCInfo", "[gcinfo_test.go]") {
  using runtime::Escape;
  using runtime::newobject;
  for (int i = 0; i < 10; i++) {
    verifyGCInfo("heap Ptr", Escape(newobject<Ptr>()), trimDead(infoPtr));
    verifyGCInfo("heap PtrSlice", Escape(&gort::make<gort::ptr<uint8_t>>(10)[0]), trimDead(infoPtr10));
    verifyGCInfo("heap ScalarPtr", Escape(newobject<ScalarPtr>()), trimDead(infoScalarPtr));
    verifyGCInfo("heap ScalarPtrSlice", Escape(&gort::make<ScalarPtr>(4)[0]), trimDead(infoScalarPtr4()));
    verifyGCInfo("heap PtrScalar", Escape(newobject<PtrScalar>()), trimDead(infoPtrScalar));
    verifyGCInfo("heap BigStruct", Escape(newobject<BigStruct>()), trimDead(infoBigStruct()));
    verifyGCInfo("heap string", Escape(newobject<goString>()), trimDead(infoString));
  }
}
