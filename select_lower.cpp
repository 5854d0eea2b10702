// select_lower.cpp: gort::select, the lowering cmd/compile's walkSelect
// performs (cmd/compile/internal/walk/select.go): no cases, one case, one
// case plus default, and the general case through selectgo. Not a runtime
// file of Go's; it is the compiler's part, kept out of select.cpp so that
// select.cpp mirrors select.go alone.
#include "select.hpp"

#include "proc.hpp"

namespace gort {

/// selectImpl: the lowering of a select of any shape. The copies of
/// (c, elem) below stay two 8-byte moves: the cases were just
/// built with 8-byte stores, and GCC's vectorizer would otherwise read each
/// pair with one 16-byte load, which the store buffer cannot forward from
/// two stores; every case then waited for its stores to reach the cache
/// (40% of selectImpl's samples in BenchmarkSelectUncontended).
[[gnu::optimize("no-tree-slp-vectorize")]]
int selectImpl(std::span<scase> cases, bool block) {
  size_t n = cases.size();
  // optimization: zero-case select
  if (n == 0) {
    if (!block) return -1;
    runtime::block();
  }
  if (n == 1) return selectOne(cases[0], block);

  // general case: sends first, then receives, as the compiler orders them.
  constexpr size_t small = 8;
  runtime::scase selbuf[small];
  int origbuf[small];
  runtime::uint16 orderbuf[2 * small];
  std::vector<runtime::scase> selv;
  std::vector<int> origv;
  std::vector<runtime::uint16> orderv;
  runtime::scase* sel = selbuf;
  int* orig = origbuf;
  runtime::uint16* order = orderbuf;
  if (n > small) {
    if (n > 65535) runtime::panicplain("select: too many cases");
    selv.resize(n);
    origv.resize(n);
    orderv.resize(2 * n);
    sel = selv.data();
    orig = origv.data();
    order = orderv.data();
  }
  int nsends = 0;
  for (size_t i = 0; i < n; i++)
    if (cases[i].isSend_) {
      sel[nsends] = runtime::scase{cases[i].c_, cases[i].elem_};
      orig[nsends++] = int(i);
    }
  int nrecvs = 0;
  for (size_t i = 0; i < n; i++)
    if (!cases[i].isSend_) {
      sel[nsends + nrecvs] = runtime::scase{cases[i].c_, cases[i].elem_};
      orig[nsends + nrecvs++] = int(i);
    }
  auto [chosen, recvOK] = runtime::selectgo(sel, order, nullptr, nsends, nrecvs, block);
  if (chosen < 0) return -1;
  int idx = orig[chosen];
  if (chosen >= nsends) cases[size_t(idx)].finishRecv(recvOK);
  return idx;
}

}  // namespace gort
