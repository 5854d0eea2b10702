// program.hpp: the small channel programs the fuzzer runs, and their two
// spellings: the byte format libFuzzer mutates (every byte string decodes to
// some program) and a text format for people (the seed corpus and the
// deadlock programs are written in it; `fuzz_chan_run print` shows any input
// in it).
//
// A program has 2 to 5 goroutines (the text format also allows 1) and 1 to 4
// channels of capacity 0 to 3, all of one element type. Each goroutine runs a
// straight-line list of at most kMaxOpsPerG operations:
//
//   send cN        ch <- v             (v is unique: see tagOf)
//   recv cN        v := <-ch
//   recv2 cN       v, ok := <-ch
//   close cN       close(ch)           `close nil` panics
//   len cN         len(ch)             compared with the model's buffer
//   yield          runtime.Gosched()
//   select CASE, CASE... [default]
//                  CASE is `send cN`, `recv cN` (case v = <-ch), `recv2 cN`
//                  (case v, ok = <-ch) or `recv_ cN` (case _, ok = <-ch: the
//                  value is dropped, the runtime gets no place to put it);
//                  cN may be `nil`. `select` alone is Go's select {}, which
//                  blocks forever; `select default` returns at once.
//
// `send nil`, `recv nil`, `recv2 nil` and `select` block forever. Only the
// text format can spell them (the deadlock programs need them); the byte
// format cannot,
// because the fuzz harness must be able to wake every goroutine it parks by
// closing channels, and it cannot wake a goroutine on a nil channel. For the
// same reason a select without default that the decoder builds always has a
// non-nil case. fuzzable() says whether a program keeps to those rules.
//
// Byte format (decode):
//   byte 0   bits 0-1: goroutines - 2; bits 2-3: channels - 1;
//            bits 4-5: element type (0, 1: uint64; 2: Big, a 48-byte struct;
//            3: std::string, moved by its constructor); bits 6-7: GOMAXPROCS - 1
//   byte 1   the capacity of channel i in bits 2i, 2i+1
//   then one byte per operation, kind = byte >> 5, low = byte & 31:
//     0 send, 1 recv, 2 recv2            channel = low & 3 (mod channels)
//     3 close                            nil if low & 16, else channel low & 3
//     4 select, 5 select with default    1 + (low & 3) cases follow (none if
//                                        low & 4 with default), a byte each:
//                                        bit 7 send; else bit 5 recv_, else
//                                        bit 6 recv2, else recv; nil if bits
//                                        2-4 are all set, channel bits 0-1
//     6 yield if low & 16, else len      channel low & 3
//     7 the next goroutine's operations follow (after the last: ignored)
//   Operations beyond kMaxOpsPerG for a goroutine are dropped.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fuzz {

inline constexpr int kMaxG = 5;         // goroutines of a program
inline constexpr int kMaxC = 4;         // channels
inline constexpr int kMaxCap = 3;       // channel capacity
inline constexpr int kMaxCases = 4;     // cases of a select
inline constexpr int kMaxOpsPerG = 12;  // operations of a goroutine

enum class Kind : uint8_t { Send, Recv, Recv2, Close, Select, Len, Yield };
enum class Elem : uint8_t { U64, Big, Str };

/// One case of a select. ch is a channel index, or -1 for a nil channel.
struct Case {
  bool send = false;
  bool withOk = false;  // recv case: `v, ok = <-ch` rather than `v = <-ch`
  bool blind = false;   // recv case: `_, ok = <-ch`, the value dropped
  int8_t ch = 0;
};

/// One operation. ch is a channel index, or -1 for nil.
struct Op {
  Kind kind = Kind::Yield;
  int8_t ch = 0;
  bool dflt = false;  // select: has a default case
  uint8_t ncases = 0;
  Case cases[kMaxCases];
};

struct Program {
  int ng = 0;           // goroutines
  int nc = 0;           // channels
  int cap[kMaxC] = {};  // capacity of each channel
  Elem elem = Elem::U64;
  int procs = 0;  // GOMAXPROCS to run at (0: leave it as it is)
  int nops[kMaxG] = {};
  Op ops[kMaxG][kMaxOpsPerG];
};

/// decode turns any bytes into a program; false if there are fewer than two.
bool decode(const uint8_t* data, size_t size, Program& p);
/// encode is decode's inverse for a fuzzable program of at least 2 goroutines.
std::vector<uint8_t> encode(const Program& p);
/// parseText reads the text format; on failure err says where and why.
bool parseText(const std::string& text, Program& p, std::string& err);
/// format writes the text format (parseText reads it back).
std::string format(const Program& p);
/// formatOp writes one operation as format does.
std::string formatOp(const Op& op);
/// fuzzable: no plain operation on a nil channel, and every select without
/// default has a non-nil case, so that closing every channel wakes every
/// goroutine (see the top of this file).
bool fuzzable(const Program& p);
/// loadFile reads a program from a file in either format: text when the
/// file is valid UTF-8 text starting with a letter or '#', else bytes.
bool loadFile(const std::string& path, Program& p, std::string& err);

/// A sent value's identity. Every value a program sends is distinct and
/// names its sender: goroutine g, operation k, case c (0 for a plain send).
/// No tag is 0, so Go's zero value is never a sent value.
struct TagRef {
  int g, k, c;
};
inline constexpr uint64_t tagOf(int g, int k, int c) {
  return (uint64_t(g + 1) << 12) | (uint64_t(k + 1) << 3) | uint64_t(c);
}
/// tagText: "g1.op2.case0" for a tag, "zero" for 0.
std::string tagText(uint64_t tag);
/// untag: the sender named by tag, if tag could be one of p's values.
bool untag(const Program& p, uint64_t tag, TagRef& r);
/// The channel a sender's value went to (-1 if that operation sends nothing).
int sendChan(const Program& p, const TagRef& r);

}  // namespace fuzz
