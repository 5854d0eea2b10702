// select_lower.cpp: gort::select, the lowering cmd/compile's walkSelect
// performs (cmd/compile/internal/walk/select.go): no cases, one case, one
// case plus default, and the general case through selectgo. Not a runtime
// file of Go's; it is the compiler's part, kept out of select.cpp so that
// select.cpp mirrors select.go alone.
#include "select.hpp"

#include "proc.hpp"

namespace gort {

int selectImpl(std::span<scase> cases, bool block) {
  size_t n = cases.size();
  // optimization: zero-case select
  if (n == 0) {
    if (!block) return -1;
    runtime::block();
  }
  auto finishRecv = [](scase& cs, bool received) {
    if (cs.okp_ != nullptr) *cs.okp_ = received;
    if (cs.finish_ != nullptr) cs.finish_(cs.dst_, cs.elem_);
  };
  // optimization: one-case select: single op.
  if (n == 1) {
    scase& cs = cases[0];
    if (block) {
      if (cs.isSend_) {
        runtime::chansend1(cs.c_, cs.elem_);
      } else {
        bool ok = runtime::chanrecv2(cs.c_, cs.elem_);
        finishRecv(cs, ok);
      }
      return 0;
    }
    // optimization: two-case select but one is default: single non-blocking op.
    if (cs.isSend_) return runtime::selectnbsend(cs.c_, cs.elem_) ? 0 : -1;
    auto [selected, received] = runtime::selectnbrecv(cs.elem_, cs.c_);
    if (!selected) return -1;
    finishRecv(cs, received);
    return 0;
  }

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
  if (chosen >= nsends) finishRecv(cases[size_t(idx)], recvOK);
  return idx;
}

}  // namespace gort
