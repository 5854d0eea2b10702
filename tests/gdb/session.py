#!/usr/bin/python3
"""session: run tests/gdb/goroutines.gdb under gdb on the goroutines program.

  session.py --gdb GDB --script runtime-gdb.py --commands goroutines.gdb --check PROGRAM
      the gdb_goroutines ctest: runs the session and checks what runtime-gdb.py
      printed (exit 1 and the whole transcript on a failure);
  session.py ... --transcript FILE PROGRAM
      writes the transcript, for the book's chapter 10 (book/tools/gen.py);
      gen.py also runs it with --commands book/programs/memstats.gdb for the
      memory chapter.

gdb runs in batch mode with -nx (no gdbinit). runtime-gdb.py is not passed
with -x: gdb must load it from the program's .debug_gdb_scripts section, which
it does for a script in its auto-load safe path, hence -iex
"add-auto-load-safe-path SCRIPT". The goroutine ids come from the program (it
prints none; goroutines.gdb prints its gid_* globals), and the line numbers
from the comments "// blocks: REASON" in goroutines.cpp.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(gdb, script, commands, program):
    cmd = [gdb, "-q", "-batch", "-nx", "-iex", "add-auto-load-safe-path " + script,
           "-x", commands, program]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=240)
    return res.stdout


def blocks(transcript):
    """{command: output} for each command gdb echoed (trace-commands: '+cmd';
    '++cmd' lines are the commands runtime-gdb.py ran, part of the output)."""
    out, cur = {}, None
    for line in transcript.splitlines():
        if line.startswith("+") and not line.startswith("++"):
            cur = line[1:].strip()
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def blocking_lines(source):
    """{reason: line number} from the '// blocks: REASON' comments."""
    lines = {}
    with open(source, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            m = re.search(r"// blocks: (.*)$", text)
            if m:
                lines[m.group(1).strip()] = n
    return lines


class Checker:
    def __init__(self, transcript):
        self.transcript = transcript
        self.failures = []

    def expect(self, ok, what):
        if not ok:
            self.failures.append(what)
        return ok


def check(transcript):
    c = Checker(transcript)
    b = blocks(transcript)
    c.expect("Loading gort runtime support." in transcript,
             "runtime-gdb.py was not auto-loaded from .debug_gdb_scripts")
    gids = re.search(r"^goids (.*)$", transcript, re.M)
    if not c.expect(gids is not None, "the program's goroutine ids were not printed (did gdb stop?)"):
        return c.failures
    ids = {}
    for kv in gids.group(1).split():
        k, v = kv.split("=")
        ids[k] = [int(x) for x in v.split(",")]

    # info goroutines: "<mark> <id> <status>  <reason>  <where>"
    rows = {}
    for line in b.get("info goroutines", "").splitlines():
        m = re.match(r"^([* ]) +(\d+) (\S+) +(.*)$", line)
        if m:
            rest = re.split(r"\s{2,}", m.group(4).strip())
            reason, where = (rest[0], rest[-1]) if len(rest) > 1 else ("", rest[0])
            rows[int(m.group(2))] = (m.group(1), m.group(3), reason, where)
    c.expect(1 in rows and rows[1][:2] == ("*", "running") and rows[1][3].startswith("gort_gdb_stop at "),
             "info goroutines: goroutine 1 is not '* 1 running ... gort_gdb_stop at ...': %s" % (rows.get(1),))
    lines = blocking_lines(os.path.join(HERE, "goroutines.cpp"))
    for name, reason in [("consumer", "chan receive"), ("producer", "chan send"), ("selector", "select"),
                         ("locker", "sync.Mutex.Lock"), ("reader", "sync.RWMutex.RLock"),
                         ("joiner", "semacquire"), ("nilrecv", "chan receive (nil chan)")]:
        for goid in ids[name]:
            want = (" ", "waiting", reason, "%s at " % name)
            row = rows.get(goid)
            c.expect(row is not None and row[:3] == want[:3] and row[3].startswith(want[3]) and
                     row[3].endswith("goroutines.cpp:%d" % lines[reason]),
                     "info goroutines: goroutine %d (%s) should be waiting [%s] at goroutines.cpp:%d: %s"
                     % (goid, name, reason, lines[reason], row))
    # The spinners: running on a thread ('*'), or runnable after a preemption;
    # main waited for at least one runnable.
    spin = [rows.get(g) for g in ids["spinner"]]
    c.expect(all(r is not None and (r[:2] == ("*", "running") or r[:2] == (" ", "runnable")) and
                 re.match(r"(spin|step) at .*goroutines\.cpp:\d+$", r[3]) for r in spin) and
             any(r[1] == "runnable" for r in spin if r),
             "info goroutines: the spinners should be running or runnable in spin/step: %s" % spin)
    # fresh was started last and has not run (unless another P stole it).
    fresh = [r for r in rows.values() if "fresh" in r[3]]
    c.expect(len(fresh) == 1 and fresh[0][1:] == ("runnable", "", "fresh (not started)"),
             "info goroutines: no 'runnable  fresh (not started)' line: %s" % fresh)

    def check_bt(cmd, must):
        out = b.get(cmd, "")
        frames = [l for l in out.splitlines() if re.match(r"#\d+ ", l)]
        c.expect(frames and "runtime.goexit" in frames[-1], "%s: does not end at runtime.goexit:\n%s" % (cmd, out))
        c.expect(not re.search(r"Backtrace stopped|corrupt stack|previous frame identical", out),
                 "%s: gdb could not unwind cleanly:\n%s" % (cmd, out))
        for pat in must:
            c.expect(any(re.search(pat, f) for f in frames), "%s: no frame matches %r:\n%s" % (cmd, pat, out))

    check_bt("goroutine gid_producer[0] bt",
             [r"^#0 +runtime\.mcall ", r" runtime::chansend", r" producer \(slot=((slot@entry=)?0|<optimized out>), v=((v@entry=)?2|<optimized out>)\) at "
              r".*goroutines\.cpp:%d$" % lines["chan send"]])
    check_bt("goroutine gid_joiner bt",
             [r" sync\.runtime_Semacquire ", r"gort::sync::WaitGroup::", r" joiner \(\) at .*goroutines\.cpp:%d$"
              % lines["semacquire"]])
    for i in (0, 1):
        check_bt("goroutine gid_spinner[%d] bt" % i, [r" spin \(slot=((slot@entry=)?%d|<optimized out>)\) at " % i])

    p0, p1 = ids["producer"]
    printed = {cmd: out.strip() for cmd, out in b.items() if cmd.startswith("p ")}
    want = {
        "p requests": r"^\$\d+ = chan int, len 1, cap 1 = \{elemsize = 4, buf = \{1\}, recvq = \{\}, "
                      r"sendq = \{goroutine %d sends 2, goroutine %d sends 3\}\}$" % (p0, p1),
        "p replies": r"^\$\d+ = chan int, len 0, cap 0 = \{elemsize = 4, recvq = \{goroutine %d receives\}, "
                     r"sendq = \{\}\}$" % ids["consumer"][0],
        "p quit": r"^\$\d+ = chan bool, len 0, cap 0 = \{elemsize = 1, recvq = \{goroutine %d receives \(select\)\}, "
                  r"sendq = \{\}\}$" % ids["selector"][0],
        "p *requests.c_.p_->sendq.first.v": r"^\$\d+ = goroutine %d sends 2, elem 0x[0-9a-f]+, chan 0x[0-9a-f]+$" % p0,
        "p *runtime::allgs[1]": r"^\$\d+ = goroutine (\d+) \[[^]]+\] = \{goid = \1, m = 0x0, "
                                r"sched = \{pc = 0x[0-9a-f]+ <runtime\.mcall\+\d+>, ",
    }
    for cmd, pat in want.items():
        c.expect(re.search(pat, printed.get(cmd, "")), "%s: got %r, want /%s/" % (cmd, printed.get(cmd), pat))
    # The registers were put back: the program goes on and ends normally.
    c.expect(re.search(r"^goroutines: 8 parked$", b.get("continue", ""), re.M) and
             "exited normally" in b.get("continue", ""),
             "continue: the program did not finish normally after the session")
    return c.failures


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--gdb", default="gdb")
    ap.add_argument("--script", required=True, help="runtime-gdb.py (added to gdb's auto-load safe path)")
    ap.add_argument("--commands", default=os.path.join(HERE, "goroutines.gdb"))
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--transcript", metavar="FILE")
    ap.add_argument("program")
    args = ap.parse_args(argv)
    transcript = run(args.gdb, args.script, args.commands, args.program)
    if args.transcript:
        tmp = args.transcript + ".new"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(transcript)
        os.replace(tmp, args.transcript)
        return 0
    failures = check(transcript)
    print(transcript)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("ok: info goroutines, goroutine ID bt and the channel printers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
