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
_, err = case("price-1e-300", write("p.json", json.dumps(scenario())), ["overflow"], "--set", "/hardware/h100/price_usd=1e-300",
              "--set", "/capex/it_placement=weights"); cases += 1
check("inf" not in err.split("overflow")[0], "overflow reported, not printed as inf")
# Placed by power (the default), the same price buys what the power allows: finite numbers.
case("price-1e-300-power", write("p2.json", json.dumps(scenario())), [], "--set",
     "/hardware/h100/price_usd=1e-300", expect=0); cases += 1
rows = open(os.path.join(d, "out-price-1e-300-power.csv")).read().splitlines()
check(len(rows) > 1 and all("inf" not in r and "nan" not in r for r in rows[1:]),
      "price-1e-300 placed by power: finite numbers")

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
check(rc == 2 and "No space left on device" in err and os.path.exists("/dev/full") and not os.path.isfile("/dev/full"),
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

# 30-: the classes added after the attack of issue 12. Each command exits 0, 1 or 2 within the
# time and memory limits: never 3, never a crash, never a partial file.
import re  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402


def bounded(name, *args, allowed=(0, 2), cwd=None):
    rc, out, err, secs = dcplan(*args, cwd=cwd)
    check(rc in allowed, f"{name}: exit in {allowed}, got {rc}: {err[:300]}")
    check(secs < TIME_LIMIT, f"{name}: bounded time ({secs:.1f} s)")
    check_clean(err, name)
    return rc, out, err


def leftovers(directory):
    return [f for f in os.listdir(directory) if f.startswith(".dcplan-") or ".tmp." in f]


# Include bombs: fan-out (1000 x 1000 x 1000 reads) and a wide include list of a big file.
bomb = os.path.join(d, "bomb")
os.makedirs(bomb)
json.dump({"name": "leaf"}, open(os.path.join(bomb, "c.json"), "w"))
json.dump({"include": ["c.json"] * 1000}, open(os.path.join(bomb, "b.json"), "w"))
json.dump(scenario(include=["b.json"] * 1000), open(os.path.join(bomb, "a.json"), "w"))
with open(os.path.join(bomb, "fat.json"), "w") as f:
    f.write('{"description": "' + "x" * (60 << 20) + '"}')
json.dump(scenario(include=["fat.json"] * 10), open(os.path.join(bomb, "fat-user.json"), "w"))
for name in ["a.json", "fat-user.json"]:
    rc, out, err = bounded(f"include bomb {name}", "run", os.path.join(bomb, name))
    check(rc == 2 and "read through include and extends" in err, f"include bomb {name}: {err[:200]}")
    cases += 1

# The product of the limits, through every command that runs a scenario.
hw = {f"h{i}": {"available": 2020, "bf16_tflops": 1, "all_in_w": 1, "price_usd": 1,
                "lifetime_years": 5, "source": "test"} for i in range(500)}
big = scenario(hardware=hw, horizon={"start": 2025, "end": 2224}, targets=[])
big["regions"] = {f"r{i}": {"pue": 1.2, "power_price_usd_per_mwh": 1, "grid_g_per_kwh": 1,
                            "facility_capex_usd_per_mw": 1e6} for i in range(2000)}
big["capex"]["hardware_mix"] = {"*": {"h0": 1}}
big_file = write("product.json", json.dumps(big))
for args in (["run", big_file], ["report", big_file, "-o", os.path.join(d, "product.html")],
             ["compare", big_file, big_file], ["validate", big_file],
             ["sweep", big_file, "--vary", "/capex/budget*=uniform(0.9,1.1)", "--samples", "2"]):
    rc, out, err = bounded(f"product of limits: {args[0]}", *args)
    check(rc == 2 and "above the limit" in err, f"product of limits: {args[0]}: {err[:200]}")
    cases += 1
check(not os.path.exists(os.path.join(d, "product.html")), "product of limits: no report file")

# Symbolic-linked and device outputs: written through, links kept, never replaced.
outdir = os.path.join(d, "outputs")
os.makedirs(outdir)
os.symlink(os.devnull, os.path.join(outdir, "to-null"))
os.symlink("missing/none.csv", os.path.join(outdir, "to-missing-dir"))
os.symlink("self-loop", os.path.join(outdir, "self-loop"))
os.symlink("real.csv", os.path.join(outdir, "to-real"))
for target, expect in [("to-null", 0), ("to-missing-dir", 2), ("self-loop", 2), ("to-real", 0),
                       ("/dev/null", 0)]:
    path = target if target.startswith("/") else os.path.join(outdir, target)
    rc, out, err = bounded(f"output {target}", "run", "scenarios/examples/minimal.json", "-o", path,
                           "--junit", path)
    check(rc == expect, f"output {target}: exit {expect}, got {rc}: {err[:200]}")
    if not target.startswith("/"):
        check(os.path.islink(path), f"output {target}: the link is still a link")
    cases += 1
check(open(os.path.join(outdir, "real.csv")).read().startswith("<?xml"),
      "the link's target holds the last output written through it")
check(leftovers(outdir) == [], f"no temporary file left: {leftovers(outdir)}")

# Control characters and markdown in every text field.
controls = "\x1b[2J\x1b]0;t\x07\r\n::error::forged\n**PASS** \u202e"
markdown = "`|\n![x](//e.example/x.png) [link](//e.example) <b>html</b> **PASS** | --- |"


def gate_tag(value):
    """The value without the characters of the gate grammar (: < > =), to be a tag a gate can
    select with its payload intact."""
    return "".join(c for c in value if c not in ":<>=")


def text_fields(value):
    doc = scenario()
    doc["name"] = doc["title"] = doc["description"] = value
    doc["sources"] = [value]
    doc["assumptions"] = [value]
    region = doc["regions"]["us-east"]
    region["name"] = region["country"] = region["source"] = value
    region["tags"] = [value, gate_tag(value)]
    hw0 = doc["hardware"]["h100"]
    hw0["vendor"] = hw0["name"] = hw0["source"] = value
    doc["targets"][0]["name"] = value
    return doc


def outside_code(line):
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


for label, value in [("control characters", controls), ("markdown", markdown)]:
    path = write(f"text-{label[0]}.json", json.dumps(text_fields(value)))
    gates = write(f"gates-{label[0]}.json", json.dumps([f"energy_twh@2030:#{gate_tag(value)}<=+500%"]))
    junit = os.path.join(d, f"junit-{label[0]}.xml")
    html_path = os.path.join(d, f"report-{label[0]}.html")
    runs = [("run --check", ["run", path, "--check", "--junit", junit, "-o", os.devnull]),
            ("validate", ["validate", path]),
            ("compare md", ["compare", path, path, "--gates", gates, "--format", "md"]),
            ("compare table", ["compare", path, path, "--gates", gates]),
            ("report", ["report", path, "-o", html_path]),
            ("catalog", ["catalog", "hardware", "--include", path])]
    for name, args in runs:
        rc, out, err = bounded(f"{label}: {name}", *args, allowed=(0, 1))
        for stream, what in [(err, "stderr"), (out if "md" in name or "table" in name or name == "validate" or name == "catalog" else "", "stdout")]:
            bad = [c for c in stream if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
            check(not bad, f"{label}: {name}: no control character on {what}: {[hex(ord(c)) for c in bad[:4]]}")
            check(not [line for line in stream.splitlines() if line.startswith("::error::") or line.startswith("**PASS**")],
                  f"{label}: {name}: no forged line on {what}")
        if name == "compare md":
            prose = "\n".join(outside_code(line) for line in out.splitlines())
            prose = re.sub(r"\\.", "", prose)
            check("![" not in prose and "](" not in prose and "<b>" not in prose,
                  f"{label}: markdown from the input is inert outside code spans: {prose[:300]}")
        cases += 1
    for xml_path in (junit, html_path):
        try:
            ET.parse(xml_path)
        except ET.ParseError as e:
            check(False, f"{label}: {os.path.basename(xml_path)} is well-formed: {e}")

# Tampered shards: lines dropped, repeated, swapped, cut, renumbered; a header from another
# shard. Each exits 2 with nothing written.
shard_dir = os.path.join(d, "shards")
os.makedirs(shard_dir)
shards = []
for k in range(2):
    path = os.path.join(shard_dir, f"s.{k}.csv")
    rc, out, err, _ = dcplan("sweep", "scenarios/examples/minimal.json", "--vary",
                             "/capex/budget*=uniform(0.8,1.2)", "--samples", "6", "--shard", f"{k}/2",
                             "-o", path)
    shards.append(path)
lines = open(shards[1]).read().splitlines(keepends=True)
other = open(shards[0]).read().splitlines(keepends=True)
tamperings = {
    "line dropped": lines[:5] + lines[6:],
    "line repeated": lines[:5] + [lines[5]] + lines[5:],
    "lines swapped": lines[:4] + [lines[9], lines[5], lines[6], lines[7], lines[8], lines[4]] + lines[10:],
    "cut mid-line": lines[:-1] + [lines[-1][:10]],
    "run renumbered": lines[:3] + [lines[3].replace("1,", "7,", 1)] + lines[4:],
    "header of shard 0": [other[0]] + lines[1:],
    "runs count raised": [lines[0].replace("runs=6", "runs=8")] + lines[1:],
    "a quote left open": lines[:3] + ['"' + lines[3]] + lines[4:],
}
for name, body in tamperings.items():
    bad = os.path.join(shard_dir, "bad.1.csv")
    open(bad, "w").write("".join(body))
    merged = os.path.join(shard_dir, "merged.csv")
    rc, out, err = bounded(f"tampered shard: {name}", "merge", shards[0], bad, "-o", merged)
    check(rc == 2 and not os.path.exists(merged), f"tampered shard: {name}: exit 2, no file: {rc} {err[:200]}")
    cases += 1
check(leftovers(shard_dir) == [], f"no temporary file left: {leftovers(shard_dir)}")

check(cases >= 50, f"at least 50 hostile inputs: {cases}")
finish()
