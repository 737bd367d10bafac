"""Hostile input: each case exits 2 with a message naming the problem, in bounded time and
memory, and leaves no output file. Nothing crashes or prints a C++ exception."""
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, tempdir  # noqa: E402

d = tempdir()
MINIMAL = json.load(open("scenarios/examples/minimal.json"))
TIME_LIMIT = 30       # seconds per case
MEMORY_LIMIT = 2 << 30  # bytes of address space per case


def limits():
    # AddressSanitizer reserves terabytes of address space for its shadow memory: under the
    # sanitizers (tools/sanitize sets DCPLAN_SANITIZED) only the time limit applies.
    if os.environ.get("DCPLAN_SANITIZED") != "1":
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def dcplan(*args, cwd=None):
    start = time.monotonic()
    p = subprocess.run([DCPLAN, *args], capture_output=True, text=True, errors="replace",
                       timeout=TIME_LIMIT, preexec_fn=limits, cwd=cwd)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - start


def write(name, content, mode="w"):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(content)
    return path


def case(name, scenario, words, *extra, expect=2, cwd=None):
    out = os.path.join(d, f"out-{name}.csv")
    rc, stdout, err, secs = dcplan("run", scenario, "--format", "csv", "-o", out, *extra, cwd=cwd)
    check(rc == expect, f"{name}: exit {expect}, got {rc}: {err[:300]}")
    if expect == 2:
        for w in words:
            check(w in err, f"{name}: message names the problem ({w!r}): {err[:400]}")
        check(not os.path.exists(out), f"{name}: no output file")
        check(all(len(line) < 600 for line in err.splitlines()), f"{name}: short messages")
    check(secs < TIME_LIMIT, f"{name}: bounded time ({secs:.1f} s)")
    check_clean(err, name)
    return stdout, err


def scenario(**patch):
    doc = json.loads(json.dumps(MINIMAL))
    doc.update(patch)
    return doc


cases = 0
# 1-8: the bytes themselves.
case("deep-nesting", write("deep.json", "[" * 100000 + "]" * 100000), ["nesting deeper than 128"]); cases += 1
big = os.path.join(d, "big.json")
with open(big, "wb") as f:
    f.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
case("200MB", big, ["200 MiB", "limit of 64 MiB"]); cases += 1
case("1e400", write("overflow.json", '{"dcplan": 1, "capex": {"budget": 1e400}}'), ["1e400", "finite number"]); cases += 1
case("duplicate-key", write("dup.json", '{"dcplan": 1, "dcplan": 1}'), ["duplicate key \"dcplan\""]); cases += 1
case("invalid-utf8", write("utf8.json", b'{"dcplan": 1, "name": "\xff\xfe"}', "wb"), ["invalid JSON", "UTF-8"]); cases += 1
case("nan-literal", write("nan.json", '{"dcplan": NaN}'), ["invalid JSON"]); cases += 1
rng = random.Random(8)
case("binary-garbage", write("garbage.json", bytes(rng.randrange(256) for _ in range(4096)), "wb"), ["invalid JSON"]); cases += 1
case("empty-file", write("empty.json", ""), ["empty file"]); cases += 1

# 9-12: things that are not files.
os.makedirs(os.path.join(d, "adir.json"), exist_ok=True)
case("directory", os.path.join(d, "adir.json"), ["directory"]); cases += 1
fifo = os.path.join(d, "fifo.json")
os.mkfifo(fifo)
case("fifo", fifo, ["regular JSON file"]); cases += 1
case("include-directory", write("incdir.json", json.dumps(scenario(include=["adir.json"]))), ["/include/0", "directory"]); cases += 1
case("include-fifo", write("incfifo.json", json.dumps(scenario(include=["fifo.json"]))), ["/include/0", "regular JSON file"]); cases += 1

# 13-14: chains.
chain_dir = os.path.join(d, "chain")
os.makedirs(chain_dir)
for i in range(1000):
    body = {"extends": f"c{i + 1}.json"} if i < 999 else scenario()
    with open(os.path.join(chain_dir, f"c{i}.json"), "w") as f:
        json.dump(body, f)
case("extends-1000-deep", os.path.join(chain_dir, "c0.json"), ["chain deeper than 64"]); cases += 1
case("self-extending", write("self.json", json.dumps(scenario(extends="self.json"))), ["cycle", "self.json -> "]); cases += 1

# 15-18: sizes and numbers.
case("horizon-10000-years", write("h1.json", json.dumps(scenario(horizon={"start": 2000, "end": 12000}))), ["/horizon/end", "[1900, 2500]"]); cases += 1
case("horizon-601-years", write("h2.json", json.dumps(scenario(horizon={"start": 1900, "end": 2500}))), ["at most 200 years"]); cases += 1
many = scenario()
many["regions"] = {f"r{i}": {"pue": 1.2, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100,
                             "facility_capex_usd_per_mw": 1e7} for i in range(100000)}
case("100000-regions", write("regions.json", json.dumps(many)), ["at most 2000 regions", "limit"]); cases += 1
case("budget-1e300", write("b.json", json.dumps(scenario())), ["/capex/budget", "1e+15", "1e+300"], "--set", "/capex/budget=1e300"); cases += 1
_, err = case("price-1e-300", write("p.json", json.dumps(scenario())), ["overflow"], "--set", "/hardware/h100/price_usd=1e-300"); cases += 1
check("inf" not in err.split("overflow")[0], "overflow reported, not printed as inf")

# 19-20: accepted oddities.
out, _ = case("bom", write("bom.json", "\ufeff" + json.dumps(scenario())), [], expect=0); cases += 1
zero = scenario()
zero["capex"]["budget"] = -0.0
zero_file = write("negzero.json", json.dumps(zero).replace("-0.0", "-0"))
rc, out, err, _ = dcplan("run", zero_file, "--format", "csv")
cells = [c for line in out.splitlines() for c in line.split(",")]
check(rc == 0 and "-0" not in cells, f"-0 is read as 0 and never printed as -0: {rc} {err[:200]}"); cases += 1

# 21-25: include and extends stay inside the scenario's directory.
inner = os.path.join(d, "plans")
os.makedirs(inner)
write("plans/../outside.json", json.dumps({"hardware": {}}))
abs_target = os.path.join(d, "outside.json")
case("absolute-include", write("plans/abs.json", json.dumps(scenario(include=[abs_target]))), ["absolute path", "rule"]); cases += 1
case("dotdot-include", write("plans/up.json", json.dumps(scenario(include=["../outside.json"]))), ["leads outside", "rule"]); cases += 1
os.symlink(abs_target, os.path.join(inner, "link.json"))
case("symlink-include", write("plans/link-user.json", json.dumps(scenario(include=["link.json"]))), ["symbolic link", "rule"]); cases += 1
case("dotdot-extends", write("plans/ext.json", json.dumps({"extends": "../../etc/passwd"})), ["/extends", "leads outside"]); cases += 1
rc, _, err, _ = dcplan("--allow-dir", d, "run", os.path.join(inner, "up.json"), "-o", os.devnull)
check(rc == 0, f"--allow-dir lets a planner widen the rule: {rc} {err[:300]}"); cases += 1

# 26: error messages quote at most a short excerpt of another file.
secret = write("plans/secret.json", "SECRET-" * 1000)
_, err = case("excerpt-only", write("plans/leak.json", json.dumps(scenario(include=["secret.json"]))), ["invalid JSON"]); cases += 1
check(err.count("SECRET") <= 6, f"at most a short excerpt of the included file: {err[:300]}")
long_key = "k" * 10000
_, err = case("long-key", write("longkey.json", json.dumps(scenario(**{long_key: 1}))), ["unknown key"]); cases += 1

# 27-29: output safety.
rc, _, err, _ = dcplan("run", "scenarios/examples/minimal.json", "-o", os.path.join(d, "missing-dir", "out.csv"))
check(rc == 2 and "does not exist" in err and not os.path.exists(os.path.join(d, "missing-dir")),
      f"-o into a missing directory: {rc} {err}"); cases += 1
rc, _, err, _ = dcplan("run", "scenarios/examples/minimal.json", "--format", "csv", "-o", "/dev/full")
check(rc == 2 and "writing" in err and os.path.exists("/dev/full") and not os.path.isfile("/dev/full"),
      f"-o /dev/full exits 2 and leaves the device alone: {rc} {err}"); cases += 1
for sig, code in [(signal.SIGINT, 130), (signal.SIGTERM, 143)]:
    out = os.path.join(d, f"sweep-{code}.csv")
    p = subprocess.Popen([DCPLAN, "sweep", "scenarios/alibaba-380b.json", "--vary", "/capex/budget*=uniform(0.8,1.2)",
                          "--samples", "1000000", "--jobs", "2", "-o", out], stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(sig)
    _, err = p.communicate(timeout=TIME_LIMIT)
    leftovers = [f for f in os.listdir(d) if f.startswith(f"sweep-{code}.csv")]
    check(p.returncode == code and not leftovers, f"signal {sig}: exit {code}, no partial file: {p.returncode} {leftovers} {err}")
    cases += 1

check(cases >= 25, f"at least 25 hostile inputs: {cases}")
finish()
