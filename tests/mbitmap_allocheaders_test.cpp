// tests/mbitmap_allocheaders_test.cpp: gort's own tests of typed
// allocation (go1.22 has no test file of this name; Go's compiler, which
// writes the maps, is tested elsewhere): that the pointer map type.hpp
// derives from a C++ type names exactly the words where its GC references
// are, as offsetof places them, for nested aggregates and arrays; that
// pointer-free types take noscan span classes; and that the heap, through
// heapSetType and typePointers, finds every reference of an allocated
// object (a headerless small object, one with a malloc header, a large one,
// and slices of each), and only those, over the whole object and over part
// of it. tests/gcinfo_test.cpp has Go's TestGCInfo.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "export_test.hpp"
#include "go.hpp"
#include "malloc.hpp"
#include "mheap.hpp"

namespace {

using runtime::_type;
using runtime::typeOf;
using runtime::uintptr;
using words = std::set<uintptr>;

struct Node {
  int32_t v;
  gort::ptr<Node> next;
  char tag;
};

struct Inner {
  char c;
  gort::ptr<int> p;
  double d[3];
  gort::slice<Node> kids;
};

struct Outer {
  uint8_t flag;
  Inner in[3];
  gort::chan<int> ch;
  std::array<gort::ptr<Outer>, 2> pair;
  struct {
    int16_t a;
    gort::ptr<int> q;
  } anon;
  double tail;
};

/// A pointer-free aggregate: scalars, arrays and a nested struct.
struct Plain {
  int64_t a;
  double b[2];
  struct {
    char c[5];
    uint16_t d;
  } e;
};

/// About 1 KiB: a small object with a malloc header.
struct Medium {
  int64_t pad[100];
  gort::ptr<int> p;
  int64_t more[20];
  gort::ptr<Medium> q;
};

/// Above 32 KiB: a large object, its type in span.largeType.
struct Large {
  gort::ptr<int> first;
  uint8_t body[40000];
  gort::ptr<int> last;
};

/// The offsets (in words) where Outer's references are, by offsetof: the
/// truth the derived map must match.
words outerWords() {
  words w;
  for (int i = 0; i < 3; i++) {
    uintptr in = offsetof(Outer, in) + i * sizeof(Inner);
    w.insert((in + offsetof(Inner, p)) / 8);
    w.insert((in + offsetof(Inner, kids)) / 8);
  }
  w.insert(offsetof(Outer, ch) / 8);
  for (int i = 0; i < 2; i++) w.insert((offsetof(Outer, pair) + i * sizeof(gort::ptr<Outer>)) / 8);
  w.insert((offsetof(Outer, anon) + offsetof(decltype(Outer::anon), q)) / 8);
  return w;
}

/// The words the type's GCData marks.
words mapWords(const _type* t) {
  words w;
  for (uintptr i = 0; i < t->PtrBytes / 8; i++) {
    if ((t->GCData[i / 8] >> (i % 8)) & 1) w.insert(i);
  }
  return w;
}

/// The pointer words typePointers reports for [addr, addr+size) of a heap
/// object, as byte addresses.
std::set<uintptr> heapPointers(void* addr, uintptr size) {
  runtime::mspan* s = runtime::findObject(uintptr(addr), 0, 0).s;
  REQUIRE(s != nullptr);
  runtime::typePointers tp = s->typePointersOf(uintptr(addr), size);
  std::set<uintptr> got;
  for (;;) {
    auto r = tp.next(uintptr(addr) + size);
    tp = r.tp;
    if (r.addr == 0) break;
    got.insert(r.addr);
  }
  return got;
}

/// The addresses of the references of n values of a type laid out from
/// base, whose references are at the word offsets w.
std::set<uintptr> expected(void* base, uintptr size, int n, const words& w) {
  std::set<uintptr> e;
  for (int i = 0; i < n; i++) {
    for (uintptr x : w) e.insert(uintptr(base) + i * size + x * 8);
  }
  return e;
}

bool noscan(void* p) { return runtime::findObject(uintptr(p), 0, 0).s->spanclass.noscan(); }

}  // namespace

// The derived maps, checked at compile time where they are built.
static_assert(typeOf<Node>.PtrBytes == 16 && typeOf<Node>.GCData[0] == 0b10);
static_assert(typeOf<Plain>.PtrBytes == 0 && typeOf<Plain>.GCData == nullptr);
static_assert(typeOf<Outer>.Kind_ == runtime::kindStruct && typeOf<gort::ptr<int>>.Kind_ == runtime::kindPtr &&
              typeOf<gort::slice<int>>.Kind_ == runtime::kindSlice &&
              typeOf<gort::chan<int>>.Kind_ == runtime::kindChan &&
              typeOf<std::array<int, 3>>.Kind_ == runtime::kindArray && typeOf<uint16_t>.Kind_ == runtime::kindUint16);
static_assert(runtime::typelayout::derivable<Outer> && !runtime::typelayout::derivable<std::vector<int>>);

TEST_CASE("gort: derived pointer maps match offsetof", "[gort][typed]") {
  words want = outerWords();
  CHECK(mapWords(&typeOf<Outer>) == want);
  // PtrBytes ends just after the last reference.
  CHECK(typeOf<Outer>.PtrBytes == (*want.rbegin() + 1) * 8);
  CHECK(typeOf<Outer>.size == sizeof(Outer));
  CHECK(mapWords(&typeOf<Inner>) == words{offsetof(Inner, p) / 8, offsetof(Inner, kids) / 8});
  CHECK(mapWords(&typeOf<Medium>) == words{offsetof(Medium, p) / 8, offsetof(Medium, q) / 8});
  CHECK(mapWords(&typeOf<Large>) == words{0, offsetof(Large, last) / 8});
  // GCData is padded to whole words (it is read a word at a time).
  CHECK(typeOf<Large>.PtrBytes == offsetof(Large, last) + 8);
}

TEST_CASE("gort: pointer-free types take noscan span classes", "[gort][typed]") {
  using runtime::Escape;
  using runtime::newobject;
  CHECK(noscan(Escape(newobject<Plain>())));
  CHECK(noscan(Escape(newobject<std::array<Plain, 100>>())));
  CHECK(noscan(Escape(gort::make<Plain>(1000).array)));
  CHECK(noscan(Escape(gort::make<int64_t>(10).array)));
  // Types with references do not, however few.
  CHECK_FALSE(noscan(Escape(newobject<Node>())));
  CHECK_FALSE(noscan(Escape(newobject<Outer>())));
  CHECK_FALSE(noscan(Escape(newobject<Large>())));
  CHECK_FALSE(noscan(Escape(gort::make<gort::ptr<int>>(3).array)));
  CHECK_FALSE(noscan(Escape(gort::make<gort::chan<int>>(3).array)));
}

TEST_CASE("gort: typePointers finds every reference of an object", "[gort][typed]") {
  using runtime::Escape;
  using runtime::newobject;
  for (int round = 0; round < 3; round++) {
    // Headerless small objects: the span's bitmap.
    auto* node = Escape(newobject<Node>());
    CHECK(heapPointers(node, sizeof(Node)) == expected(node, sizeof(Node), 1, mapWords(&typeOf<Node>)));
    auto* outer = Escape(newobject<Outer>());
    REQUIRE(runtime::heapBitsInSpan(sizeof(Outer)) == (sizeof(Outer) <= 512));
    CHECK(heapPointers(outer, sizeof(Outer)) == expected(outer, sizeof(Outer), 1, outerWords()));
    // A malloc header.
    auto* medium = Escape(newobject<Medium>());
    REQUIRE_FALSE(runtime::heapBitsInSpan(sizeof(Medium)));
    CHECK(heapPointers(medium, sizeof(Medium)) == expected(medium, sizeof(Medium), 1, mapWords(&typeOf<Medium>)));
    // A large object: span.largeType.
    auto* large = Escape(newobject<Large>());
    CHECK(runtime::findObject(uintptr(large), 0, 0).s->spanclass.sizeclass() == 0);
    CHECK(heapPointers(large, sizeof(Large)) == expected(large, sizeof(Large), 1, mapWords(&typeOf<Large>)));
    // Arrays: each element's references, repeated, under all three layouts.
    auto nodes = gort::make<Node>(7);  // 112 bytes: span bits, the map tiled
    CHECK(heapPointers(nodes.array, 7 * sizeof(Node)) ==
          expected(nodes.array, sizeof(Node), 7, mapWords(&typeOf<Node>)));
    auto outers = gort::make<Outer>(9);  // a header, the element type's map
    CHECK(heapPointers(outers.array, 9 * sizeof(Outer)) == expected(outers.array, sizeof(Outer), 9, outerWords()));
    auto many = gort::make<Outer>(200);  // a large object of elements
    CHECK(heapPointers(many.array, 200 * sizeof(Outer)) == expected(many.array, sizeof(Outer), 200, outerWords()));
    // Conservative types (the runtime's own): every word.
    auto* sg = Escape(newobject<runtime::sudog>());
    CHECK(heapPointers(sg, sizeof(runtime::sudog)).size() == sizeof(runtime::sudog) / 8);
  }
}

TEST_CASE("gort: typePointers over part of an object", "[gort][typed]") {
  // typePointersOf(addr, size) for an interior range: fastForward, then the
  // range's references only.
  auto outers = gort::make<Outer>(9);
  auto all = expected(outers.array, sizeof(Outer), 9, outerWords());
  for (uintptr off : {uintptr(8), sizeof(Outer), 3 * sizeof(Outer) + 40, 5 * sizeof(Outer) - 8}) {
    for (uintptr size : {uintptr(8), uintptr(64), sizeof(Outer), 2 * sizeof(Outer) + 16}) {
      if (off + size > 9 * sizeof(Outer)) continue;
      uintptr lo = uintptr(outers.array.get()) + off;
      std::set<uintptr> want;
      for (uintptr a : all) {
        if (a >= lo && a < lo + size) want.insert(a);
      }
      INFO("off=" << off << " size=" << size);
      CHECK(heapPointers(reinterpret_cast<void*>(lo), size) == want);
    }
  }
  auto nodes = gort::make<Node>(7);
  auto nodeAll = expected(nodes.array, sizeof(Node), 7, mapWords(&typeOf<Node>));
  uintptr lo = uintptr(nodes.array.get()) + 24;
  std::set<uintptr> want;
  for (uintptr a : nodeAll) {
    if (a >= lo && a < lo + 48) want.insert(a);
  }
  CHECK(heapPointers(reinterpret_cast<void*>(lo), 48) == want);
}

TEST_CASE("gort: new_ and append keep references visible to the heap", "[gort][typed]") {
  // gort::new_ gives a ptr<T> to a typed object; a slice of references
  // grown by append has the references in its new array's map.
  gort::ptr<Node> head;
  for (int i = 0; i < 5; i++) head = gort::new_<Node>(i, head, 'x');
  int n = 0;
  for (auto p = head; p; p = p->next) n++;
  CHECK(n == 5);
  gort::slice<gort::ptr<Node>> s;
  for (int i = 0; i < 100; i++) s = gort::append(s, gort::new_<Node>());
  words all;
  for (uintptr i = 0; i < uintptr(s.cap); i++) all.insert(i);
  CHECK(heapPointers(s.array, s.cap * sizeof(gort::ptr<Node>)) == expected(s.array, 8 * s.cap, 1, all));
}
