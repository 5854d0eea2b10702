// testprog/badpointer.cpp: port only, no Go counterpart (Go reaches the
// same report through unsafe or cgo misuse). The sub-program that shows the
// mark meeting an exact pointer into a part of the heap that holds no
// objects (mbitmap.cpp's badPointer): a gort::ptr to the tail of a span,
// the bytes past its last object. The report and the fatal error must be
// Go's; with GODEBUG=invalidptr=0 the mark passes over the pointer and the
// program prints "ok".
#include <cstdint>

#include "go.hpp"
#include "mfinal.hpp"
#include "mheap.hpp"
#include "runtime.hpp"
#include "slice.hpp"
#include "testprog.hpp"

namespace testprog {
namespace {

/// A heap object with one exact pointer, where the bad address goes, and
/// a reference to an object of the span whose tail it names, which keeps
/// that span in use. The padding makes it a large object, in a span of its
/// own: a small one could share its span with a conservatively scanned
/// object (at GOMAXPROCS=2 the 16-byte allp array), whose span's words are
/// all looked up as candidates (mspan.conservative), and the bad pointer
/// would pass unreported.
struct badPointerHolder {
  gort::ptr<uint8_t> bad;
  gort::slice<uint64_t> keep;
  uint64_t pad[4096];
};

/// GCBadPointer: store an exact pointer to a span's unused tail (the bytes
/// past its last object) in a heap object, and collect.
void GCBadPointer() {
  gort::ptr<badPointerHolder> h = gort::new_<badPointerHolder>();
  // The first object size whose span has a tail (48 bytes natively: 170
  // objects to an 8 KiB span and 32 bytes left over; ASan's redzones make
  // the sizes differ).
  uintptr_t bad = 0;
  for (int n = 2; n <= 64 && bad == 0; n++) {
    h->keep = gort::make<uint64_t>(n);
    runtime::mspan* s = runtime::spanOf(reinterpret_cast<uintptr_t>(&h->keep[0]));
    uintptr_t tail = s->base() + uintptr_t(s->nelems) * s->elemsize;
    if (tail + 8 < s->base() + (s->npages << runtime::_PageShift)) bad = tail + 8;
  }
  if (bad == 0) {
    println("test bug: no span with an unused tail");
    return;
  }
  h->bad = gort::ptr<uint8_t>(reinterpret_cast<uint8_t*>(bad));
  runtime::GC();  // the mark scans h and finds the pointer
  println("ok");
  runtime::KeepAlive(h);
}

[[maybe_unused]] bool registered = register_("GCBadPointer", GCBadPointer);

}  // namespace
}  // namespace testprog
