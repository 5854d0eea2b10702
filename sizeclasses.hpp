// sizeclasses.hpp: the size classes of the small-object allocator, mirroring
// sizeclasses.go at go1.22.12. Go generates that file with mksizeclasses.go;
// the tables below are its data, unchanged, and tests/sizeclasses_test.cpp
// parses Go's file and checks every constant and every entry against them.
//
// What the tables say. An allocation of at most _MaxSmallSize bytes is
// rounded up to one of _NumSizeClasses sizes (class 0 stands for "large":
// an object with a span of its own). Each class has a span size in pages
// (class_to_allocnpages), chosen by the generator to keep the waste at the
// span's tail small, and a magic multiplier (class_to_divmagic) so that
// dividing an offset in the span by the object size is a multiply and a
// shift (mspan.divideByElemSize). The size -> class lookup is two tables:
// size_to_class8 in steps of smallSizeDiv up to smallSizeMax, then
// size_to_class128 in steps of largeSizeDiv.
//
// Invariants:
//   [class-align]  an object of class c is aligned to the largest power of
//                  two dividing class_to_size[c] (at most the page size), as
//                  the span base is page-aligned; so every class above 16
//                  bytes is 16-byte aligned.
//   [class-fit]    class_to_size[c] * nelems fits in class_to_allocnpages[c]
//                  pages, and nelems <= maxObjsPerSpan.
#pragma once
#include "runtime2.hpp"

namespace runtime {

/// The generator's constants. \gosrc{sizeclasses.go,_MaxSmallSize}
inline constexpr uintptr _MaxSmallSize = 32768;
inline constexpr uintptr smallSizeDiv = 8;
inline constexpr uintptr smallSizeMax = 1024;
inline constexpr uintptr largeSizeDiv = 128;
inline constexpr uintptr _NumSizeClasses = 68;
inline constexpr uintptr _PageShift = 13;
inline constexpr uintptr maxObjsPerSpan = 1024;

/// class_to_size: the object size of each class (0 for class 0). \gosrc{sizeclasses.go,class_to_size}
inline constexpr uint16 class_to_size[_NumSizeClasses] = {
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288,
    320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536,
    1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192,
    9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
    27264, 28672, 32768
};

/// class_to_allocnpages: the pages of one span of each class. \gosrc{sizeclasses.go,class_to_allocnpages}
inline constexpr uint8 class_to_allocnpages[_NumSizeClasses] = {
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 3, 2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2,
    9, 7, 5, 8, 3, 10, 7, 4
};

/// class_to_divmagic: ceil(2^32 / size), the multiplier that divides by the class size. \gosrc{sizeclasses.go,class_to_divmagic}
inline constexpr uint32 class_to_divmagic[_NumSizeClasses] = {
    0, ~uint32(0)/8 + 1, ~uint32(0)/16 + 1, ~uint32(0)/24 + 1, ~uint32(0)/32 + 1,
    ~uint32(0)/48 + 1, ~uint32(0)/64 + 1, ~uint32(0)/80 + 1, ~uint32(0)/96 + 1,
    ~uint32(0)/112 + 1, ~uint32(0)/128 + 1, ~uint32(0)/144 + 1, ~uint32(0)/160 + 1,
    ~uint32(0)/176 + 1, ~uint32(0)/192 + 1, ~uint32(0)/208 + 1, ~uint32(0)/224 + 1,
    ~uint32(0)/240 + 1, ~uint32(0)/256 + 1, ~uint32(0)/288 + 1, ~uint32(0)/320 + 1,
    ~uint32(0)/352 + 1, ~uint32(0)/384 + 1, ~uint32(0)/416 + 1, ~uint32(0)/448 + 1,
    ~uint32(0)/480 + 1, ~uint32(0)/512 + 1, ~uint32(0)/576 + 1, ~uint32(0)/640 + 1,
    ~uint32(0)/704 + 1, ~uint32(0)/768 + 1, ~uint32(0)/896 + 1, ~uint32(0)/1024 + 1,
    ~uint32(0)/1152 + 1, ~uint32(0)/1280 + 1, ~uint32(0)/1408 + 1, ~uint32(0)/1536 + 1,
    ~uint32(0)/1792 + 1, ~uint32(0)/2048 + 1, ~uint32(0)/2304 + 1, ~uint32(0)/2688 + 1,
    ~uint32(0)/3072 + 1, ~uint32(0)/3200 + 1, ~uint32(0)/3456 + 1, ~uint32(0)/4096 + 1,
    ~uint32(0)/4864 + 1, ~uint32(0)/5376 + 1, ~uint32(0)/6144 + 1, ~uint32(0)/6528 + 1,
    ~uint32(0)/6784 + 1, ~uint32(0)/6912 + 1, ~uint32(0)/8192 + 1, ~uint32(0)/9472 + 1,
    ~uint32(0)/9728 + 1, ~uint32(0)/10240 + 1, ~uint32(0)/10880 + 1, ~uint32(0)/12288 + 1,
    ~uint32(0)/13568 + 1, ~uint32(0)/14336 + 1, ~uint32(0)/16384 + 1, ~uint32(0)/18432 + 1,
    ~uint32(0)/19072 + 1, ~uint32(0)/20480 + 1, ~uint32(0)/21760 + 1, ~uint32(0)/24576 + 1,
    ~uint32(0)/27264 + 1, ~uint32(0)/28672 + 1, ~uint32(0)/32768 + 1
};

/// size_to_class8: the class of a size s <= smallSizeMax-8, at index ceil(s / smallSizeDiv). \gosrc{sizeclasses.go,size_to_class8}
inline constexpr uint8 size_to_class8[smallSizeMax / smallSizeDiv + 1] = {
    0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15,
    15, 16, 16, 17, 17, 18, 18, 19, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22,
    23, 23, 23, 23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 27, 27, 27, 27, 27, 27, 27,
    27, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29, 29, 30, 30, 30, 30, 30, 30,
    30, 30, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 32, 32, 32, 32, 32,
    32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32
};

/// size_to_class128: the class of a larger size s, at index ceil((s - smallSizeMax) / largeSizeDiv). \gosrc{sizeclasses.go,size_to_class128}
inline constexpr uint8 size_to_class128[(_MaxSmallSize - smallSizeMax) / largeSizeDiv + 1] = {
    32, 33, 34, 35, 36, 37, 37, 38, 38, 39, 39, 40, 40, 40, 41, 41, 41, 42, 43, 43, 44, 44, 44,
    44, 44, 45, 45, 45, 45, 45, 45, 46, 46, 46, 46, 47, 47, 47, 47, 47, 47, 48, 48, 48, 49, 49,
    50, 51, 51, 51, 51, 51, 51, 51, 51, 51, 51, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 53, 53,
    54, 54, 54, 54, 55, 55, 55, 55, 55, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 56, 57, 57, 57,
    57, 57, 57, 57, 57, 57, 57, 58, 58, 58, 58, 58, 58, 59, 59, 59, 59, 59, 59, 59, 59, 59, 59,
    59, 59, 59, 59, 59, 59, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 61,
    61, 61, 61, 61, 62, 62, 62, 62, 62, 62, 62, 62, 62, 62, 62, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
    64, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 65, 66,
    66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67,
    67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67, 67
};

}  // namespace runtime
