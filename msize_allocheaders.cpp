// msize_allocheaders.cpp: roundupsize, mirroring msize_allocheaders.go at
// go1.22.12 (the allocation-headers build, go1.22's default): the size
// mallocgc will really hand out for a request, so that growslice can keep
// the size class's slack as capacity.
#include "malloc.hpp"
#include "mheap.hpp"

namespace runtime {

/// roundupsize: the bytes mallocgc would hand out for a request of size,
/// noscan or not; a pointerful small object that carries a malloc header
/// needs mallocHeaderSize more, which the result leaves out, since mallocgc
/// adds it again. \gosrc{msize_allocheaders.go,roundupsize}
uintptr roundupsize(uintptr size, bool noscan) {
  uintptr reqSize = size;
  if (reqSize <= maxSmallSize - mallocHeaderSize) {
    // A small object.
    if (!noscan && reqSize > minSizeForMallocHeader) {  // !noscan && !heapBitsInSpan(reqSize)
      reqSize += mallocHeaderSize;
    }
    // reqSize - size is the header, or 0.
    if (reqSize <= smallSizeMax - 8) {
      return uintptr(class_to_size[size_to_class8[divRoundUp(reqSize, smallSizeDiv)]]) - (reqSize - size);
    }
    return uintptr(class_to_size[size_to_class128[divRoundUp(reqSize - smallSizeMax, largeSizeDiv)]]) -
           (reqSize - size);
  }
  // A large object: whole pages, unless that overflows.
  reqSize += pageSize - 1;
  if (reqSize < size) return size;
  return reqSize & ~(pageSize - 1);
}

}  // namespace runtime
