"""Golden regression files: the csv output of every shipped scenario, compared value by value."""
import csv
import glob
import io
import os

REL = 1e-9


# The shipped scenarios as they were before model v3 (tests/data/v2, with their catalogs): with
# every v3 key at its default they must give version 2's numbers (their goldens in
# tests/golden/v2 differ from version 2's only in the total row's limit, its v3 rule).
V2 = os.path.join("tests", "data", "v2")


def shipped():
    found = []
    for root in ("scenarios", V2):
        found += [p for p in glob.glob(root + "/**/*.json", recursive=True)
                  if "/catalog/" not in p and "/gates/" not in p]
    return sorted(found)


def golden_path(scenario):
    if scenario.startswith(V2):
        rel = os.path.join("v2", os.path.relpath(scenario, V2))
    else:
        rel = os.path.relpath(scenario, "scenarios")
    return os.path.join("tests", "golden", os.path.splitext(rel)[0] + ".csv")


def diff(name, text, golden_text, limit=20):
    """Readable differences between a run's csv and its golden file, at relative 1e-9."""
    now = list(csv.reader(io.StringIO(text)))
    old = list(csv.reader(io.StringIO(golden_text)))
    out = []
    if not now or not old or now[0] != old[0]:
        return [f"{name}: the columns changed: {old[0] if old else []} -> {now[0] if now else []}"]
    header = now[0]
    keys_now = {tuple(r[:2]): r for r in now[1:]}
    keys_old = {tuple(r[:2]): r for r in old[1:]}
    for k in sorted(set(keys_old) - set(keys_now)):
        out.append(f"{name}: row {k[0]} {k[1]} is gone")
    for k in sorted(set(keys_now) - set(keys_old)):
        out.append(f"{name}: row {k[0]} {k[1]} is new")
    for k in sorted(set(keys_now) & set(keys_old)):
        for col, a, b in zip(header[2:], keys_old[k][2:], keys_now[k][2:]):
            if a == b:
                continue
            if a == "" or b == "":
                out.append(f"{name}: {k[0]} {k[1]} {col}: golden {a or '(empty)'}, now {b or '(empty)'}")
                continue
            try:
                x, y = float(a), float(b)
            except ValueError:  # a text column (limit): words must match exactly
                out.append(f"{name}: {k[0]} {k[1]} {col}: golden {a}, now {b}")
                continue
            if abs(x - y) <= REL * max(abs(x), abs(y)) or abs(x - y) < 1e-300:
                continue
            rel = f" ({(y - x) / abs(x) * 100:+.4g}%)" if x != 0 else ""
            out.append(f"{name}: {k[0]} {k[1]} {col}: golden {a}, now {b}{rel}")
    if len(out) > limit:
        out = out[:limit] + [f"{name}: ... and {len(out) - limit} more differences"]
    return out


# The outputs of the commands that run the engine many times, kept as golden files too, so that
# a change to the engine or its executors (the batch engine of issue 17) shows any difference.
# Each: a name, then the arguments after `dcplan`. Small enough to run in a second.
COMMANDS = [
    ("sweep-summary", ["sweep", "tests/data/v2/alibaba-380b.json", "--vary", "/capex/budget*=uniform(0.8,1.2)",
                       "--vary", "/regions/cn-hangzhou/pue=normal(1.19,0.02)", "--samples", "500",
                       "--summary", "--by", "region", "--jobs", "2"]),
    ("sweep-rows", ["sweep", "scenarios/examples/minimal.json", "--vary", "/capex/split/it=0.6:0.7:0.05",
                    "--set", "/capex/split/other=rest", "--vary", "/regions/us-east/pue=1.1,1.3",
                    "--metrics", "energy_twh,capex_usd,limit", "--jobs", "2"]),
    ("solve", ["solve", "tests/data/v2/alibaba-380b.json", "--targets", "--vary",
               "/capex/budget/then_growth=0:1", "--format", "json"]),
    ("optimize", ["optimize", "scenarios/examples/minimal.json", "--minimize", "cost_per_eflop_year_usd@2030",
                  "--vary", "/capex/split/it=0.5:0.9", "--set", "/capex/split/facility=rest",
                  "--subject-to", "energy_twh@2030>=1.5", "--starts", "3", "--format", "json"]),
    ("sensitivity-sobol", ["sensitivity", "tests/data/v2/alibaba-380b.json", "--method", "sobol",
                           "--samples", "64", "--metric", "energy_twh@2032", "--vary",
                           "/capex/budget*=ci90(0.8,1.25)", "--vary", "/hardware/h20/lifetime_years=4:6",
                           "--format", "csv"]),
    ("sensitivity-morris", ["sensitivity", "tests/data/v2/alibaba-380b.json", "--method", "morris",
                            "--metric", "cost_per_eflop_year_usd@2032", "--vary", "/capex/budget*=0.8:1.2",
                            "--vary", "/regions/cn-hangzhou/pue=1.1:1.3", "--format", "csv"]),
    # The table a planner reads: a row per input and metric, the largest swing first.
    ("sensitivity-tornado", ["sensitivity", "tests/data/v2/alibaba-380b.json", "--method", "tornado",
                             "--metric", "energy_twh@2032", "--metric", "peak_pflops@2030:cn-hangzhou",
                             "--vary", "/regions/cn-hangzhou/pue=1.1:1.3", "--vary", "/capex/budget*=0.8:1.2",
                             "--vary", "/hardware/h20/price_usd*=0.8:1.25"]),
]


def command_golden(name):
    return os.path.join("tests", "golden", "commands", name + ".txt")


def same_text(name, text, golden_text, limit=10):
    """Differences between two outputs, token by token: numbers at relative 1e-9, the rest exactly."""
    import re
    # What made the output is not compared: the version and commit of a sweep header, the meta
    # record of a json output (its time and command differ from run to run).
    provenance = re.compile(r' dcplan=\S+ commit=\S+|,"dcplan":"[^"]*","commit":"[^"]*"'
                            r'|\n  "meta": \{[^\n]*\},')
    text, golden_text = provenance.sub("", text), provenance.sub("", golden_text)
    split = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
    now, old = split.split(text), split.split(golden_text)
    out = []
    if len(now) != len(old):
        return [f"{name}: the output's shape changed ({len(old)} tokens -> {len(now)})"]
    for i, (a, b) in enumerate(zip(old, now)):
        if a == b:
            continue
        try:
            x, y = float(a), float(b)
            if abs(x - y) <= REL * max(abs(x), abs(y)):
                continue
        except ValueError:
            pass
        out.append(f"{name}: token {i}: golden {a!r}, now {b!r}")
        if len(out) >= limit:
            break
    return out
