// program.cpp: decode, encode, the text format and its printer (see
// program.hpp for both formats).
#include "program.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace fuzz {

namespace {

int chanOf(int low, int nc) { return (low & 3) % nc; }

bool isNilCase(uint8_t x) { return (x & 0x1c) == 0x1c; }

}  // namespace

bool decode(const uint8_t* data, size_t size, Program& p) {
  p = Program{};
  if (size < 2) return false;
  uint8_t h0 = data[0], h1 = data[1];
  p.ng = 2 + (h0 & 3);
  p.nc = 1 + ((h0 >> 2) & 3);
  static constexpr Elem elems[4] = {Elem::U64, Elem::U64, Elem::Big, Elem::Str};
  p.elem = elems[(h0 >> 4) & 3];
  p.procs = 1 + (h0 >> 6);
  for (int c = 0; c < p.nc; c++) p.cap[c] = (h1 >> (2 * c)) & 3;
  int g = 0;
  size_t i = 2;
  while (i < size) {
    uint8_t b = data[i++];
    int kind = b >> 5, low = b & 31;
    Op op;
    switch (kind) {
      case 0:
      case 1:
      case 2: {
        static constexpr Kind plain[3] = {Kind::Send, Kind::Recv, Kind::Recv2};
        op.kind = plain[kind];
        op.ch = int8_t(chanOf(low, p.nc));
        break;
      }
      case 3:
        op.kind = Kind::Close;
        op.ch = int8_t((low & 16) ? -1 : chanOf(low, p.nc));
        break;
      case 4:
      case 5: {
        op.kind = Kind::Select;
        op.dflt = kind == 5;
        int want = op.dflt && (low & 4) ? 0 : 1 + (low & 3);
        bool anyLive = false;
        while (op.ncases < want && i < size) {
          uint8_t x = data[i++];
          Case& cs = op.cases[op.ncases++];
          cs.send = (x & 0x80) != 0;
          cs.blind = !cs.send && (x & 0x20) != 0;
          cs.withOk = !cs.send && !cs.blind && (x & 0x40) != 0;
          cs.ch = int8_t(isNilCase(x) ? -1 : chanOf(x, p.nc));
          anyLive |= cs.ch >= 0;
        }
        if (op.ncases < want) continue;  // the input ended inside the select
        // A select that could never be woken (see program.hpp): its first
        // case gets the channel its bits name.
        if (!op.dflt && !anyLive) op.cases[0].ch = int8_t(chanOf(data[i - op.ncases], p.nc));
        break;
      }
      case 6:
        if (low & 16) {
          op.kind = Kind::Yield;
        } else {
          op.kind = Kind::Len;
          op.ch = int8_t(chanOf(low, p.nc));
        }
        break;
      default:
        if (++g == p.ng) return true;
        continue;
    }
    if (p.nops[g] < kMaxOpsPerG) p.ops[g][p.nops[g]++] = op;
  }
  return true;
}

std::vector<uint8_t> encode(const Program& p) {
  std::vector<uint8_t> out;
  int procs = p.procs < 1 ? 1 : p.procs > 4 ? 4 : p.procs;
  uint8_t elem = p.elem == Elem::U64 ? 0 : p.elem == Elem::Big ? 2 : 3;
  out.push_back(uint8_t((p.ng - 2) | ((p.nc - 1) << 2) | (elem << 4) | ((procs - 1) << 6)));
  uint8_t caps = 0;
  for (int c = 0; c < p.nc; c++) caps |= uint8_t(p.cap[c] << (2 * c));
  out.push_back(caps);
  for (int g = 0; g < p.ng; g++) {
    if (g > 0) out.push_back(0xe0);
    for (int k = 0; k < p.nops[g]; k++) {
      const Op& op = p.ops[g][k];
      switch (op.kind) {
        case Kind::Send: out.push_back(uint8_t(0x00 | op.ch)); break;
        case Kind::Recv: out.push_back(uint8_t(0x20 | op.ch)); break;
        case Kind::Recv2: out.push_back(uint8_t(0x40 | op.ch)); break;
        case Kind::Close: out.push_back(uint8_t(0x60 | (op.ch < 0 ? 16 : op.ch))); break;
        case Kind::Len: out.push_back(uint8_t(0xc0 | op.ch)); break;
        case Kind::Yield: out.push_back(0xd0); break;
        case Kind::Select:
          out.push_back(uint8_t(op.ncases == 0 ? 0xa4 : (op.dflt ? 0xa0 : 0x80) | (op.ncases - 1)));
          for (int c = 0; c < op.ncases; c++) {
            const Case& cs = op.cases[c];
            uint8_t x = cs.ch < 0 ? 0x1c : uint8_t(cs.ch);
            if (cs.send) x |= 0x80;
            if (cs.withOk) x |= 0x40;
            if (cs.blind) x |= 0x20;
            out.push_back(x);
          }
          break;
      }
    }
  }
  return out;
}

namespace {

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Send: return "send";
    case Kind::Recv: return "recv";
    case Kind::Recv2: return "recv2";
    case Kind::Close: return "close";
    case Kind::Select: return "select";
    case Kind::Len: return "len";
    case Kind::Yield: return "yield";
  }
  return "?";
}

std::string chanName(int ch) { return ch < 0 ? "nil" : "c" + std::to_string(ch); }

const char* elemName(Elem e) {
  switch (e) {
    case Elem::U64: return "u64";
    case Elem::Big: return "big";
    case Elem::Str: return "string";
  }
  return "?";
}

}  // namespace

std::string formatOp(const Op& op) {
  std::string s = kindName(op.kind);
  switch (op.kind) {
    case Kind::Yield: break;
    case Kind::Select:
      for (int c = 0; c < op.ncases; c++) {
        const Case& cs = op.cases[c];
        s += c == 0 ? " " : ", ";
        s += cs.send ? "send " : cs.blind ? "recv_ " : cs.withOk ? "recv2 " : "recv ";
        s += chanName(cs.ch);
      }
      if (op.dflt) s += " default";
      break;
    default: s += " " + chanName(op.ch); break;
  }
  return s;
}

std::string format(const Program& p) {
  std::string s = "chans";
  for (int c = 0; c < p.nc; c++) s += " " + std::to_string(p.cap[c]);
  s += "\nelem ";
  s += elemName(p.elem);
  s += "\n";
  if (p.procs > 0) s += "procs " + std::to_string(p.procs) + "\n";
  for (int g = 0; g < p.ng; g++) {
    s += "go  # g" + std::to_string(g) + "\n";
    for (int k = 0; k < p.nops[g]; k++) s += "  " + formatOp(p.ops[g][k]) + "\n";
  }
  return s;
}

namespace {

/// A line of the text format split into words; commas stand alone.
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> w;
  std::string cur;
  for (char ch : line) {
    if (ch == '#') break;
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == ',') {
      if (!cur.empty()) w.push_back(cur);
      cur.clear();
      if (ch == ',') w.push_back(",");
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) w.push_back(cur);
  return w;
}

bool parseChan(const std::string& w, int nc, int8_t& ch) {
  if (w == "nil") {
    ch = -1;
    return true;
  }
  if (w.size() != 2 || w[0] != 'c' || w[1] < '0' || w[1] >= char('0' + nc)) return false;
  ch = int8_t(w[1] - '0');
  return true;
}

/// parseSelect reads `select CASE, CASE... [default]` from words w.
bool parseSelect(const std::vector<std::string>& w, int nc, Op& op, std::string& err) {
  op.kind = Kind::Select;
  size_t i = 1;
  while (i < w.size()) {
    if (w[i] == "default" && i + 1 == w.size()) {
      op.dflt = true;
      break;
    }
    if (op.ncases == kMaxCases) return err = "more than 4 cases", false;
    if (i + 1 >= w.size()) return err = "case without channel", false;
    Case& cs = op.cases[op.ncases++];
    if (w[i] == "send") {
      cs.send = true;
    } else if (w[i] == "recv2") {
      cs.withOk = true;
    } else if (w[i] == "recv_") {
      cs.blind = true;
    } else if (w[i] != "recv") {
      return err = "unknown case '" + w[i] + "'", false;
    }
    if (!parseChan(w[i + 1], nc, cs.ch)) return err = "bad channel '" + w[i + 1] + "'", false;
    i += 2;
    if (i < w.size() && w[i] == ",") i++;
  }
  return true;
}

bool parseOp(const std::vector<std::string>& w, int nc, Op& op, std::string& err) {
  const std::string& k = w[0];
  if (k == "select") return parseSelect(w, nc, op, err);
  if (k == "yield") {
    op.kind = Kind::Yield;
    return w.size() == 1 || (err = "yield takes nothing", false);
  }
  if (k == "send")
    op.kind = Kind::Send;
  else if (k == "recv")
    op.kind = Kind::Recv;
  else if (k == "recv2")
    op.kind = Kind::Recv2;
  else if (k == "close")
    op.kind = Kind::Close;
  else if (k == "len")
    op.kind = Kind::Len;
  else
    return err = "unknown operation '" + k + "'", false;
  if (w.size() != 2 || !parseChan(w[1], nc, op.ch)) return err = "expected one channel", false;
  if (op.kind == Kind::Len && op.ch < 0) return err = "len nil is always 0", false;
  return true;
}

}  // namespace

bool parseText(const std::string& text, Program& p, std::string& err) {
  p = Program{};
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  int g = -1;
  auto fail = [&](const std::string& why) {
    err = "line " + std::to_string(lineno) + ": " + why;
    return false;
  };
  while (std::getline(in, line)) {
    lineno++;
    std::vector<std::string> w = words(line);
    if (w.empty()) continue;
    if (w[0] == "chans") {
      if (p.nc != 0 || w.size() < 2 || w.size() > 1 + kMaxC) return fail("chans: 1 to 4 capacities, once");
      for (size_t i = 1; i < w.size(); i++) {
        if (w[i].size() != 1 || w[i][0] < '0' || w[i][0] > '0' + kMaxCap) return fail("capacity 0 to 3");
        p.cap[p.nc++] = w[i][0] - '0';
      }
    } else if (w[0] == "elem") {
      if (w.size() != 2) return fail("elem u64|big|string");
      if (w[1] == "u64")
        p.elem = Elem::U64;
      else if (w[1] == "big")
        p.elem = Elem::Big;
      else if (w[1] == "string")
        p.elem = Elem::Str;
      else
        return fail("elem u64|big|string");
    } else if (w[0] == "procs") {
      if (w.size() != 2 || w[1].size() != 1 || w[1][0] < '1' || w[1][0] > '4') return fail("procs 1 to 4");
      p.procs = w[1][0] - '0';
    } else if (w[0] == "go") {
      if (p.nc == 0) return fail("chans must come before the first go");
      if (++g == kMaxG) return fail("more than 5 goroutines");
      p.ng = g + 1;
    } else {
      if (g < 0) return fail("operation before the first go");
      if (p.nops[g] == kMaxOpsPerG) return fail("more than 12 operations in a goroutine");
      Op op;
      std::string why;
      if (!parseOp(w, p.nc, op, why)) return fail(why);
      p.ops[g][p.nops[g]++] = op;
    }
  }
  if (p.ng == 0) return fail("no goroutines");
  return true;
}

bool fuzzable(const Program& p) {
  for (int g = 0; g < p.ng; g++)
    for (int k = 0; k < p.nops[g]; k++) {
      const Op& op = p.ops[g][k];
      if (op.kind == Kind::Send || op.kind == Kind::Recv || op.kind == Kind::Recv2) {
        if (op.ch < 0) return false;
      } else if (op.kind == Kind::Select && !op.dflt) {
        bool live = false;
        for (int c = 0; c < op.ncases; c++) live |= op.cases[c].ch >= 0;
        if (!live) return false;
      }
    }
  return true;
}

bool loadFile(const std::string& path, Program& p, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return err = "cannot open " + path, false;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  bool text = !data.empty() && (std::isalpha(static_cast<unsigned char>(data[0])) || data[0] == '#');
  for (char ch : data)
    if (ch != '\n' && ch != '\t' &&
        (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e))
      text = false;
  if (text) {
    if (!parseText(data, p, err)) return err = path + ": " + err, false;
    return true;
  }
  if (!decode(reinterpret_cast<const uint8_t*>(data.data()), data.size(), p))
    return err = path + ": too short for a program", false;
  return true;
}

std::string tagText(uint64_t tag) {
  if (tag == 0) return "zero";
  return "g" + std::to_string(int(tag >> 12) - 1) + ".op" + std::to_string(int((tag >> 3) & 511) - 1) +
         ".case" + std::to_string(int(tag & 7));
}

bool untag(const Program& p, uint64_t tag, TagRef& r) {
  r.g = int(tag >> 12) - 1;
  r.k = int((tag >> 3) & 511) - 1;
  r.c = int(tag & 7);
  if (tag != tagOf(r.g, r.k, r.c)) return false;
  if (r.g < 0 || r.g >= p.ng || r.k < 0 || r.k >= p.nops[r.g]) return false;
  return sendChan(p, r) >= 0;
}

int sendChan(const Program& p, const TagRef& r) {
  const Op& op = p.ops[r.g][r.k];
  if (op.kind == Kind::Send) return r.c == 0 ? op.ch : -1;
  if (op.kind == Kind::Select && r.c < op.ncases && op.cases[r.c].send) return op.cases[r.c].ch;
  return -1;
}

}  // namespace fuzz
