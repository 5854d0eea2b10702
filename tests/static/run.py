#!/usr/bin/python3
"""Run tools/gocheck.py on the fixtures in this directory and check its verdicts.

Each fixture (*.cpp here) states what must happen, in comment lines at its top:

  // gocheck-fixture: fail | pass | compile-fail
  // want: <first line of one expected finding>
  // want| <next line of the same finding>       (\\t stands for a tab)
  // count: <rule>.<counter> <op> <number>        (op: = >= >)
  // also: <other source compiled with this one (a file marked
  //        `gocheck-fixture: companion`, which is not a fixture by itself)>
  // compile-error: <text the compiler must print>   (compile-fail only)

fail: the checker exits 1 and its findings are exactly the `want` findings
(each a block of lines, in any order). pass: the checker exits 0 with no
findings. Both must satisfy every `count` line, and a fixture without one is
rejected: a verdict from a checker that looked at nothing proves nothing.
compile-fail: g++ must reject the file and print the compile-error text (the
static_assert message), and the sibling fixture named by `also` (if any) must
compile, so that the failure is the assertion and not a broken header.

Each fixture is compiled as the runtime is (g++ -std=c++20 -O2 -g -fsplit-stack
-fno-omit-frame-pointer -fcallgraph-info=su, with the repository root on the
include path) into a temporary directory with its own compile_commands.json,
and the checker runs over that. Exit status 0 when every fixture behaves.

  /usr/bin/python3 tests/static/run.py [-v] [--cxx g++] [--include DIR] [fixture.cpp ...]
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GOCHECK = os.path.join(REPO, "tools", "gocheck.py")
FLAGS = ["-std=c++20", "-O2", "-g", "-fsplit-stack", "-fno-omit-frame-pointer",
         "-fcallgraph-info=su"]


class Spec:
    def __init__(self, path):
        self.path = path
        self.kind = None
        self.wants = []
        self.counts = []
        self.also = []
        self.compile_errors = []
        with open(path) as f:
            for line in f:
                m = re.match(r"^//\s*(gocheck-fixture|want|want\||count|also|compile-error):\s?(.*)$",
                             line.rstrip("\n"))
                if not m:
                    m = re.match(r"^//\s*(want\|)\s?(.*)$", line.rstrip("\n"))
                    if not m:
                        continue
                key, val = m.group(1), m.group(2)
                val = val.replace("\\t", "\t")
                if key == "gocheck-fixture":
                    self.kind = val.strip()
                elif key == "want":
                    self.wants.append([val])
                elif key == "want|":
                    if not self.wants:
                        raise ValueError("%s: `want|` before any `want:`" % path)
                    self.wants[-1].append(val)
                elif key == "count":
                    cm = re.match(r"^(\w+)\.(\w+)\s*(=|>=|>)\s*(\d+)$", val.strip())
                    if not cm:
                        raise ValueError("%s: bad count line: %s" % (path, val))
                    self.counts.append((cm.group(1), cm.group(2), cm.group(3), int(cm.group(4))))
                elif key == "also":
                    self.also.append(val.strip())
                elif key == "compile-error":
                    self.compile_errors.append(val)
        if self.kind not in ("fail", "pass", "compile-fail", "companion"):
            raise ValueError("%s: no `gocheck-fixture: fail|pass|compile-fail|companion` line" % path)
        if self.kind == "fail" and not self.wants:
            raise ValueError("%s: a failing fixture needs `want:` lines" % path)
        if self.kind in ("fail", "pass") and not self.counts:
            raise ValueError("%s: needs at least one `count:` line" % path)
        if self.kind == "compile-fail" and not self.compile_errors:
            raise ValueError("%s: a compile-fail fixture needs a `compile-error:` line" % path)


def compile_one(cxx, src, objdir, includes):
    obj = os.path.join(objdir, os.path.basename(src) + ".o")
    cmd = [cxx] + FLAGS + ["-I" + d for d in includes] + ["-I" + REPO, "-I" + HERE,
                                                           "-c", src, "-o", obj]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=objdir)
    return cmd, obj, r


def check_counts(spec, counts, errors):
    for rule, key, op, n in spec.counts:
        v = counts.get(rule, {}).get(key)
        if v is None:
            errors.append("count %s.%s missing from the checker's report" % (rule, key))
            continue
        ok = (v == n) if op == "=" else (v >= n) if op == ">=" else (v > n)
        if not ok:
            errors.append("count %s.%s = %s, want %s %d" % (rule, key, v, op, n))
    src = counts.get("source", {})
    if not src.get("functions"):
        errors.append("the checker analysed no functions")


def run_fixture(path, args):
    spec = Spec(path)
    errors = []
    if spec.kind == "companion":
        return spec, errors, None
    with tempfile.TemporaryDirectory(prefix="gocheck-fixture-") as tmp:
        sources = [path] + [os.path.join(HERE, a) for a in spec.also]
        if spec.kind == "compile-fail":
            cmd, _, r = compile_one(args.cxx, path, tmp, args.include)
            if r.returncode == 0:
                errors.append("compiled, but must not")
            for want in spec.compile_errors:
                if want not in r.stderr:
                    errors.append("compiler output lacks %r:\n%s" % (want, r.stderr.strip()[-2000:]))
            for other in spec.also:
                _, _, r2 = compile_one(args.cxx, os.path.join(HERE, other), tmp, args.include)
                if r2.returncode != 0:
                    errors.append("control fixture %s does not compile:\n%s"
                                  % (other, r2.stderr.strip()[-2000:]))
            return spec, errors, None
        db = []
        for s in sources:
            cmd, obj, r = compile_one(args.cxx, s, tmp, args.include)
            if r.returncode != 0:
                errors.append("does not compile:\n" + r.stderr.strip()[-3000:])
                return spec, errors, None
            db.append({"directory": tmp, "file": s, "output": obj, "command": shlex.join(cmd)})
        cc = os.path.join(tmp, "compile_commands.json")
        with open(cc, "w") as f:
            json.dump(db, f, indent=1)
        r = subprocess.run([sys.executable, GOCHECK, "--compile-commands", cc, "--target", "",
                            "--root", HERE, "--json"], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            errors.append("gocheck failed (exit %d):\n%s" % (r.returncode, r.stderr.strip()))
            return spec, errors, None
        try:
            out = json.loads(r.stdout)
        except json.JSONDecodeError:
            errors.append("gocheck printed no JSON:\n%s%s" % (r.stdout[-2000:], r.stderr[-2000:]))
            return spec, errors, None
        got = sorted(f["text"] for f in out["findings"])
        want = sorted("\n".join(w) for w in spec.wants)
        if spec.kind == "pass":
            if r.returncode != 0 or got:
                errors.append("must pass, but the checker reports:\n" + "\n".join(got))
        else:
            if r.returncode != 1:
                errors.append("must fail, but the checker exits %d" % r.returncode)
            for w in want:
                if w not in got:
                    errors.append("missing finding:\n%s" % w)
            for g in got:
                if g not in want:
                    errors.append("unexpected finding:\n%s" % g)
        check_counts(spec, out["counts"], errors)
        return spec, errors, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fixtures", nargs="*", help="fixture files (default: all *.cpp here)")
    ap.add_argument("--cxx", default=os.environ.get("GOCHECK_CXX", "g++"))
    ap.add_argument("--include", action="append", default=[],
                    help="extra include directory, searched before the repository")
    ap.add_argument("-v", action="store_true", help="print each fixture's findings and counts")
    args = ap.parse_args()
    fixtures = args.fixtures or sorted(os.path.join(HERE, f) for f in os.listdir(HERE)
                                       if f.endswith(".cpp"))
    failed = 0
    ran = 0
    for path in fixtures:
        path = os.path.abspath(path)
        try:
            spec, errors, out = run_fixture(path, args)
        except ValueError as e:
            print("FAIL %s: %s" % (os.path.basename(path), e))
            failed += 1
            continue
        name = os.path.basename(path)
        if spec.kind == "companion":
            continue
        ran += 1
        status = "ok  " if not errors else "FAIL"
        detail = spec.kind
        if out is not None:
            detail += ", %d finding%s" % (len(out["findings"]), "" if len(out["findings"]) == 1 else "s")
        print("%s %s (%s)" % (status, name, detail))
        if args.v and out is not None:
            for f in out["findings"]:
                print("    | " + f["text"].replace("\n", "\n    | "))
            for rule, c in out["counts"].items():
                print("    %s: %s" % (rule, ", ".join("%s=%s" % kv for kv in c.items())))
        for e in errors:
            print("    " + e.replace("\n", "\n    "))
        if errors:
            failed += 1
    print("%d fixture%s, %d failed" % (ran, "" if ran == 1 else "s", failed))
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    sys.exit(main())
