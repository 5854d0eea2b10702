#!/usr/bin/python3
"""testresults: what the last ctest run of gort_test said, for chapter 9.

ctest runs gort_test once per GOMAXPROCS (CMakeLists.txt, GORT_TEST_CPUS)
with two reports beside the console output:

  BUILD/test-results/gort_test_cpu<n>.xml         JUnit (for CI tools)
  BUILD/test-results/gort_test_cpu<n>.catch2.xml  Catch2's own XML

Both name each test case by its TEST_CASE name, which is Go's test name. The
Catch2 XML is the one read here: it has an entry for every test case that
ran, while Catch2's JUnit report has one only for a test case that recorded
an assertion, a skip or output, so a test that passed without a Catch2
assertion (many ported tests, as in Go, fail through FAIL or by hanging
and otherwise assert nothing) is missing from it. When only the JUnit file
exists it is read, and a test it does not list is "not reported", neither
passed nor not run.

read() turns the files into one dict: per GOMAXPROCS, whether a report
exists, when the run ended (the JUnit timestamp, else the report's mtime)
and each test case's result (passed, failed or skipped). Catch2 opens (and
so empties) its report files when a run starts and completes them when it
ends, so a run that crashed or was killed leaves a file that does not parse:
that is reported as "incomplete", never as an older result.

  testresults.py --dir BUILD/test-results --cpus 1,2,4 --summary OUT

writes read()'s dict as JSON to OUT, and only when it changed. CMake runs
this on every build (cmake/book.cmake) and the book depends on OUT, so the
book is rebuilt after a test run and not otherwise.
"""

import argparse
import datetime
import json
import os
import sys
import xml.etree.ElementTree as ET

PASSED, FAILED, SKIPPED, NOT_RUN = "passed", "failed", "skipped", "not run"
NOT_REPORTED = "not reported"
RANK = {SKIPPED: 0, PASSED: 1, FAILED: 2}  # a JUnit test with sections: its worst part


def junit_path(resdir, cpu):
    return os.path.join(resdir, "gort_test_cpu%s.xml" % cpu)


def catch2_path(resdir, cpu):
    return os.path.join(resdir, "gort_test_cpu%s.catch2.xml" % cpu)


def _mtime(path):
    return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(path):
    try:
        return ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None


def read_junit(root):
    """(timestamp, filters, {name: result}) of a parsed JUnit report."""
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests, stamp, filters = {}, None, ""
    for suite in suites:
        stamp = stamp or suite.get("timestamp")
        for prop in suite.iter("property"):
            if prop.get("name") == "filters":
                filters = prop.get("value") or ""
        for tc in suite.iter("testcase"):
            # Each leaf section is a test case of its own, "TestName/section".
            name = (tc.get("name") or "").split("/")[0]
            if tc.find("failure") is not None or tc.find("error") is not None:
                r = FAILED
            elif tc.find("skipped") is not None:
                r = SKIPPED
            else:
                r = PASSED
            if name not in tests or RANK[r] > RANK[tests[name]]:
                tests[name] = r
    return stamp, filters, tests


def read_catch2(root):
    """(filters, {name: result}) of a parsed Catch2 XML report."""
    tests = {}
    for tc in root.iter("TestCase"):
        res = tc.find("OverallResult")
        if res is None:
            continue
        if res.get("success") != "true":
            r = FAILED
        elif int(res.get("skips") or 0) > 0:
            r = SKIPPED
        else:
            r = PASSED
        tests[tc.get("name")] = r
    return root.get("filters") or "", tests


def read_one(resdir, cpu):
    """The run at GOMAXPROCS cpu: {"state": "missing"|"incomplete"|"ok",
    "source": "catch2"|"junit"|None, "time": ISO UTC or None, "filters":
    Catch2's test spec or "", "tests": {name: result}}."""
    out = {"cpu": str(cpu), "state": "missing", "source": None, "time": None, "filters": "", "tests": {}}
    jpath, cpath = junit_path(resdir, cpu), catch2_path(resdir, cpu)
    junit = _parse(jpath) if os.path.exists(jpath) else None
    stamp = read_junit(junit)[0] if junit is not None else None
    if os.path.exists(cpath):
        root = _parse(cpath)
        out.update(source="catch2", time=stamp or _mtime(cpath))
        if root is None or root.find("OverallResultsCases") is None:
            out["state"] = "incomplete"
            return out
        out["filters"], out["tests"] = read_catch2(root)
        out["state"] = "ok"
        return out
    if os.path.exists(jpath):
        out.update(source="junit", time=stamp or _mtime(jpath))
        if junit is None or not (junit.tag == "testsuite" or junit.findall("testsuite")):
            out["state"] = "incomplete"
            return out
        _, out["filters"], out["tests"] = read_junit(junit)
        out["state"] = "ok"
    return out


def read(resdir, cpus):
    """{"runs": [read_one(resdir, n) for n in cpus]}."""
    return {"runs": [read_one(resdir, c) for c in cpus]}


def result(data, cpu, name):
    """The result of test name in the run at GOMAXPROCS cpu: passed, failed,
    skipped, not run (no report, or a Catch2 report that does not name it),
    or not reported (a JUnit report that does not name it)."""
    for r in data["runs"]:
        if r["cpu"] == str(cpu):
            if name in r["tests"]:
                return r["tests"][name]
            return NOT_REPORTED if r["state"] == "ok" and r["source"] == "junit" else NOT_RUN
    return NOT_RUN


def cpus_arg(text):
    return [c for c in text.replace(";", ",").split(",") if c.strip()]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--dir", required=True, help="the reports' folder (BUILD/test-results)")
    ap.add_argument("--cpus", default="1,2,4", help="GOMAXPROCS values, comma-separated")
    ap.add_argument("--summary", help="write the JSON here, only when it changed (default: stdout)")
    args = ap.parse_args(argv)
    text = json.dumps(read(args.dir, cpus_arg(args.cpus)), indent=1, sort_keys=True) + "\n"
    if not args.summary:
        sys.stdout.write(text)
        return 0
    if os.path.exists(args.summary):
        with open(args.summary, encoding="utf-8") as f:
            if f.read() == text:
                return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.summary)), exist_ok=True)
    tmp = args.summary + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
