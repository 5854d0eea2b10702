// bench/binarytrees.cpp: the Benchmarks Game's binary-trees on gort's
// collected heap.
//
//   binarytrees [DEPTH]      (default 21)
//
// The program allocates perfect binary trees bottom up and walks them to
// count their nodes, so nearly all of its time is allocation and
// collection: one "stretch" tree of depth DEPTH+1, thrown away; one tree
// of depth DEPTH kept alive to the end; and, for each depth d = 4, 6, ...
// up to DEPTH, 2^(DEPTH-d+4) trees of depth d, built and dropped one by
// one, each depth on a goroutine of its own (the Go program's shape).
//
// stdout is the game's output, the same text as the Go and Boehm versions
// print (bench/binarytrees.go, bench/binarytrees_boehm.cpp); the ctest
// binarytrees checks it. stderr gets one line of figures, in the same
// format from all three:
//
//   binarytrees: depth 21, gort, GOMAXPROCS 2: 2345.6 ms, 87 GC cycles,
//   longest pause 1.234 ms, peak RSS 123.4 MiB
//
// A pause is the time one cycle stopped the world (MemStats.PauseNs: the
// last 256 cycles are kept, as in Go, so a longer run reports the longest
// of its last 256). bench/compare runs the three side by side.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "go.hpp"
#include "binarytrees.hpp"
#include "runtime.hpp"
#include "sync/sync.hpp"

namespace {

constexpr int minDepth = gort_bench::binarytreesMinDepth;
int maxDepth;

/// Node: a tree node; a leaf has no children. Two GC references, so the
/// collector scans every node by its pointer map.
struct Node {
  gort::ptr<Node> left, right;
};

/// bottomUpTree: a perfect tree of the given depth, children first.
///
/// Go evaluates a composite literal's operands left to right, so the left
/// subtree is built before the right one; C++ leaves the order of a call's
/// arguments unspecified, and GCC evaluates them right to left. The order
/// is spelled out, since it decides where each subtree lies in the heap and
/// so how the collector's depth-first scan walks memory: built right first,
/// a collection of a depth-22 tree takes 291 ms against 218 ms built left
/// first (gort, GOMAXPROCS=1, medians of seven alternating runs).
gort::ptr<Node> bottomUpTree(int depth) {
  if (depth <= 0) return gort::new_<Node>();
  gort::ptr<Node> left = bottomUpTree(depth - 1);
  gort::ptr<Node> right = bottomUpTree(depth - 1);
  return gort::new_<Node>(std::move(left), std::move(right));
}

/// itemCheck: the number of nodes of the tree at n.
/// (Left before right, as Go's `+` evaluates its operands.)
int64_t itemCheck(const gort::ptr<Node>& n) {
  if (!n->left) return 1;
  int64_t left = itemCheck(n->left);
  return 1 + left + itemCheck(n->right);
}

/// stretch: build the stretch tree, check it and drop it. A function of
/// its own, never inlined, for the port's conservative stack scan (and
/// Boehm's): the tree's root is left in a slot of whichever frame built
/// it, and a slot of binarytreesMain's frame would stay there, unwritten,
/// through the whole run while that frame waits for the workers. Then
/// every collection marks the dead 2^(DEPTH+2)-1-node tree. Measured at
/// depth 21, GOMAXPROCS=2, with the stretch inline and a dozen more lines at
/// the end of binarytreesMain (enough for GCC to give the root a slot that
/// nothing overwrote): a cycle marked about 300 MB instead of 110 to 135,
/// there were 36 or 37 cycles instead of 77 to 82, and the peak RSS was 690
/// to 766 MiB instead of 329 to 437 (five runs against ten). A returned
/// frame lies below the stack pointer, where the scan does not look. Go's
/// stack maps know the root is dead either way; bench/binarytrees.go has the
/// same function so that the three programs keep one shape.
__attribute__((noinline)) void stretch() {
  const int stretchDepth = maxDepth + 1;
  std::printf("stretch tree of depth %d\t check: %lld\n", stretchDepth,
              (long long)itemCheck(bottomUpTree(stretchDepth)));
}

void binarytreesMain() {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  stretch();

  gort::ptr<Node> longLived = bottomUpTree(maxDepth);

  // One line per depth, filled in by that depth's goroutine and printed in
  // order once all are done. The lines hold no GC references, so the C++
  // heap is the place for them.
  std::vector<std::string> outputs(maxDepth + 1);
  gort::sync::WaitGroup wg;
  for (int d = minDepth; d <= maxDepth; d += 2) {
    wg.Add(1);
    gort::go([d, &outputs, &wg] {
      const int64_t iterations = int64_t(1) << (maxDepth - d + minDepth);
      int64_t check = 0;
      for (int64_t i = 0; i < iterations; i++) check += itemCheck(bottomUpTree(d));
      char line[128];
      std::snprintf(line, sizeof line, "%lld\t trees of depth %d\t check: %lld\n", (long long)iterations, d,
                    (long long)check);
      outputs[d] = line;
      wg.Done();
    });
  }
  wg.Wait();
  for (int d = minDepth; d <= maxDepth; d += 2) std::fputs(outputs[d].c_str(), stdout);
  std::printf("long lived tree of depth %d\t check: %lld\n", maxDepth, (long long)itemCheck(longLived));
  const auto t1 = clock::now();
  std::fflush(stdout);

  runtime::MemStats ms;
  runtime::ReadMemStats(&ms);
  uint64_t longest = 0;
  for (uint32_t i = 0; i < ms.NumGC && i < 256; i++) {
    if (ms.PauseNs[i] > longest) longest = ms.PauseNs[i];
  }
  gort_bench::printBinarytreesFigures(maxDepth, "gort", runtime::GOMAXPROCS(0),
                                      std::chrono::duration<double, std::milli>(t1 - t0).count(), ms.NumGC,
                                      double(longest) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  maxDepth = gort_bench::binarytreesDepth(argc, argv, "binarytrees");
  runtime::rt0_go(argc, argv, binarytreesMain);
}
