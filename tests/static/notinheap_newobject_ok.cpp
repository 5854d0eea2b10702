// Control for notinheap_newobject.cpp: an ordinary type goes through
// newobject<T>() without complaint.
//
// gocheck-fixture: companion
#include "malloc.hpp"

namespace runtime {

struct hchanLike {
  gort::ptr<uint8> buf;
};

hchanLike* allocate() { return newobject<hchanLike>(); }

}  // namespace runtime
