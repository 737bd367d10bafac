"""The SQLite results store (--format sqlite): the same numbers as csv, by query; meta, runs,
results and summary tables; compare's comparison and gates; --append; shards merged equal the unsharded store; refusals; a
failed sweep leaves no file; hostile ids and pointers stay values and quoted identifiers."""
import csv
import io
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = os.path.abspath("scenarios/examples/minimal.json")
ALIBABA = os.path.abspath("scenarios/alibaba-380b.json")
d = tempdir()


def db(path):
    con = sqlite3.connect(path)
    check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"{path}: integrity_check")
    return con


# run: every cell of every row equals csv's (both exact: shortest round-trip decimals).
store = os.path.join(d, "run.sqlite")
rc, _, err = run("run", ALIBABA, "--format", "sqlite", "-o", store)
check(rc == 0, f"run --format sqlite: {err}")
rc, out, _ = run("run", ALIBABA, "--format", "csv")
rows = list(csv.DictReader(io.StringIO(out)))
con = db(store)
check(con.execute("SELECT kind, runs FROM meta").fetchall() == [("run", 1)], "run meta")
got = {(y, r): e for y, r, e in con.execute("SELECT year, region, energy_twh FROM results")}
check(len(got) == len(rows) and all(got[(int(x["year"]), x["region"])] == float(x["energy_twh"])
                                    for x in rows), "run: the store's energy equals csv's")
limits = dict(((y, r), l) for y, r, l in con.execute('SELECT year, region, "limit" FROM results'))
check(all(limits[(int(x["year"]), x["region"])] == (x["limit"] or None) for x in rows),
      "run: the limit column is text, as in csv")
rc, _, err = run("run", MINIMAL, "--format", "sqlite")
check(rc == 2 and "-o FILE" in err, f"sqlite to standard output is refused: {rc} {err}")

# sweep rows: the same numbers as the csv sweep; runs hold the parameters.
args = ["sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--vary",
        "/regions/us-east/pue=1.1,1.3", "--samples", "6", "--by", "region", "--seed", "3"]
sweep_db = os.path.join(d, "sweep.sqlite")
rc, _, err = run(*args, "--format", "sqlite", "-o", sweep_db)
check(rc == 0, f"sweep --format sqlite: {err}")
rc, out, _ = run(*args)
lines = out.splitlines()
header = lines[0]
table = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
con = db(sweep_db)
meta = con.execute("SELECT kind, sweep_hash, runs, seed, shard FROM meta").fetchall()
check(meta[0][0] == "sweep" and meta[0][1] in header and meta[0][2] == 12 and meta[0][3] == 3,
      f"sweep meta: {meta} {header}")
stored = {(r, y, g): e for r, y, g, e in con.execute("SELECT run, year, region, energy_twh FROM results")}
check(len(stored) == len(table) and all(
    stored[(int(x["run"]), int(x["year"]), x["region"])] == float(x["energy_twh"]) for x in table),
    "sweep: the store's rows equal csv's")
params = con.execute('SELECT run, "/capex/budget*", "/regions/us-east/pue" FROM runs ORDER BY run').fetchall()
csv_params = sorted({(int(x["run"]), float(x["/capex/budget*"]), float(x["/regions/us-east/pue"]))
                     for x in table})
check(params == csv_params, "runs: the parameters of every run")
indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
check("results_run_year_region" in indexes, f"index on (run, year, region): {indexes}")

# --summary: the summary table equals the csv summary.
summary_db = os.path.join(d, "summary.sqlite")
rc, _, err = run(*args, "--summary", "--format", "sqlite", "-o", summary_db)
rc, out, _ = run(*args, "--summary")
srows = list(csv.DictReader(io.StringIO(out)))
con = db(summary_db)
s = {(y, r, m): (n, mean, p50) for y, r, m, n, mean, p50 in
     con.execute("SELECT year, region, metric, n, mean, p50 FROM summary")}
check(len(s) == len(srows) and all(
    s[(int(x["year"]), x["region"], x["metric"])] == (int(x["n"]), float(x["mean"]), float(x["p50"]))
    for x in srows), "summary: equals the csv summary")

# --append: another sweep, another id, new columns where it varies something else.
rc, _, err = run("sweep", MINIMAL, "--vary", "/capex/split/it=0.6,0.7", "--set",
                 "/capex/split/other=rest", "--format", "sqlite", "-o", sweep_db, "--append")
check(rc == 0, f"--append: {err}")
con = db(sweep_db)
check([r[0] for r in con.execute("SELECT sweep FROM meta ORDER BY sweep")] == [1, 2], "two sweeps")
check(con.execute('SELECT COUNT(*) FROM runs WHERE sweep = 2 AND "/capex/split/it" IS NOT NULL').fetchone()[0] == 2,
      "the appended sweep's parameter is a new column")
check(con.execute("SELECT COUNT(*) FROM results WHERE sweep = 1").fetchone()[0] == len(table),
      "the first sweep is kept")
rc, _, err = run(*args, "--append", "-o", os.path.join(d, "x.csv"))
check(rc == 2 and "--format sqlite" in err, f"--append without sqlite: {err}")

# Shards: 4 stores merged equal the unsharded store (by query).
whole = os.path.join(d, "whole.sqlite")
run(*args, "--format", "sqlite", "-o", whole)
shards = []
for k in range(4):
    p = os.path.join(d, f"shard{k}.sqlite")
    rc, _, err = run(*args, "--shard", f"{k}/4", "--format", "sqlite", "-o", p)
    check(rc == 0, f"shard {k}: {err}")
    shards.append(p)
merged = os.path.join(d, "merged.sqlite")
rc, _, err = run("merge", *reversed(shards), "-o", merged)
check(rc == 0, f"merge of 4 stores: {err}")
q_rows = "SELECT run, year, region, energy_twh, capex_usd FROM results ORDER BY run, year, region"
q_runs = "SELECT * FROM runs ORDER BY run"
a, b = db(whole), db(merged)
check(a.execute(q_rows).fetchall() == b.execute(q_rows).fetchall(), "merged rows equal the unsharded")
check(a.execute(q_runs).fetchall() == b.execute(q_runs).fetchall(), "merged runs equal the unsharded")
check(b.execute("SELECT shard FROM meta").fetchone()[0] == "0/1", "the merged store is whole")
rc, _, err = run("merge", *shards[:3], "-o", os.path.join(d, "m3.sqlite"))
check(rc == 2 and "missing" in err, f"a missing shard is refused: {err}")
other = os.path.join(d, "other.sqlite")
run("sweep", MINIMAL, "--vary", "/capex/budget*=0.9,1.1", "--shard", "1/4", "--format", "sqlite", "-o", other)
rc, _, err = run("merge", shards[0], other, shards[2], shards[3], "-o", os.path.join(d, "m4.sqlite"))
check(rc == 2 and "shard of a different sweep" in err, f"a shard of another sweep is refused: {err}")
rc, out, _ = run(*args, "--shard", "0/4")
csv_shard = os.path.join(d, "s0.csv")
open(csv_shard, "w").write(out)
rc, _, err = run("merge", shards[0], csv_shard, "-o", os.path.join(d, "m5.sqlite"))
check(rc == 2 and "cannot merge SQLite" in err, f"mixed shards refused: {err}")
check_clean(err, "merge refusals")

# A sweep that fails part-way leaves no file (and no temporary file).
bad = os.path.join(d, "bad", "out.sqlite")
os.makedirs(os.path.dirname(bad))
rc, _, err = run("sweep", MINIMAL, "--vary", "/regions/us-east/pue=normal(1.0,0.5)", "--samples",
                 "50", "--format", "sqlite", "-o", bad)
check(rc == 2 and os.listdir(os.path.dirname(bad)) == [], f"failed sweep leaves nothing: {rc} {os.listdir(os.path.dirname(bad))} {err}")

# Hostile text (region ids are restricted; the command line is not) is stored as a value.
evil_dir = os.path.join(d, 'x"; DROP TABLE results; --\'')
os.makedirs(evil_dir)
evil_path = os.path.join(evil_dir, "s.json")
open(evil_path, "w").write(open(MINIMAL).read())
evil_db = os.path.join(d, "evil.sqlite")
rc, _, err = run("sweep", evil_path, "--vary", "/regions/us-east/pue=1.1,1.2", "--format", "sqlite",
                 "-o", evil_db)
check(rc == 0, f"hostile path: {err}")
con = db(evil_db)
check(evil_dir in con.execute("SELECT command FROM meta").fetchone()[0] and
      con.execute("SELECT COUNT(*) FROM results").fetchone()[0] > 0,
      "the hostile command line is a value, the tables intact")

# compare: both sides' rows as runs 0 and 1, the joined rows equal compare's csv, the gates.
cmp_args = ["compare", MINIMAL, MINIMAL, "--set", "/capex/budget=3e9", "--by", "region",
            "--years", "2026:2028", "--gate", "energy_twh@2028<=+5%", "--gate", "capex_usd@2026<=+60%"]
cmp_db = os.path.join(d, "compare.sqlite")
rc, _, err = run(*cmp_args, "--format", "sqlite", "-o", cmp_db)
check(rc == 1 and "FAIL energy_twh@2028" in err, f"compare --format sqlite: a failing gate exits 1: {rc} {err}")
rc, out, _ = run(*cmp_args, "--format", "csv")
crows = list(csv.DictReader(io.StringIO(out)))
con = db(cmp_db)
meta = con.execute("SELECT kind, runs, scenario_sha256, base_sha256 FROM meta").fetchall()
check(meta[0][:2] == ("compare", 2) and len(meta[0][2]) == 64 and len(meta[0][3]) == 64
      and meta[0][2] != meta[0][3], f"compare meta: kind, runs, both hashes: {meta}")
check(con.execute("SELECT run, side, file FROM runs ORDER BY run").fetchall() ==
      [(0, "base", MINIMAL), (1, "other", MINIMAL)], "compare runs: base and other")
joined = {(y, r, m): (b, o, df, rd) for y, r, m, b, o, df, rd in con.execute(
    "SELECT year, region, metric, base, other, diff, rel_diff FROM comparison")}
def num(text):
    return float(text) if text != "" else None
check(len(joined) == len(crows) and all(
    joined[(int(x["year"]), x["region"], x["metric"])] ==
    (num(x["base"]), num(x["other"]), num(x["diff"]), num(x["rel_diff"])) for x in crows),
    "comparison: every row equals compare's csv")
years = sorted({y for (y,) in con.execute("SELECT DISTINCT year FROM results")})
check(years == [2026, 2027, 2028], f"results: the --years rows: {years}")
side = {(run_, y, r): e for run_, y, r, e in con.execute(
    "SELECT run, year, region, energy_twh FROM results")}
check(all(side[(0, int(x["year"]), x["region"])] == float(x["base"]) and
          side[(1, int(x["year"]), x["region"])] == float(x["other"])
          for x in crows if x["metric"] == "energy_twh"), "results: each side's values")
gates = con.execute("SELECT gate, passed, first_year FROM gates").fetchall()
check(gates == [("energy_twh@2028<=+5%", 0, 2028), ("capex_usd@2026<=+60%", 1, 2026)],
      f"gates: text, verdict, year: {gates}")
rc, _, err = run("compare", MINIMAL, MINIMAL, "--format", "sqlite", "-o", cmp_db, "--append")
check(rc == 0 and db(cmp_db).execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 2,
      f"compare --append: a second comparison: {err}")
rc, _, err = run("compare", MINIMAL, MINIMAL, "--format", "sqlite")
check(rc == 2 and "-o FILE" in err, f"compare to standard output is refused: {err}")
rc, _, err = run("merge", cmp_db, "-o", os.path.join(d, "mc.sqlite"))
check(rc == 2 and "one sweep shard" in err, f"a compare store is not a shard: {err}")
def run_limited(*args, fsize=None, timeout=60):
    """dcplan with an optional file-size limit (SIGXFSZ ignored: a write past it fails with
    EFBIG) and a timeout: (exit code, stderr), or (None, "timed out") when it hangs."""
    def limit():
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    try:
        p = subprocess.run([DCPLAN, *args], capture_output=True, text=True, timeout=timeout,
                           preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return p.returncode, p.stderr


def fresh_dir(name):
    path = os.path.join(d, name)
    os.makedirs(path)
    return path


def copy(src, dst):
    shutil.copyfile(src, dst)
    return dst


def alter(path, *sql):
    con = sqlite3.connect(path)
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()


small = ["sweep", MINIMAL, "--vary", "/regions/us-east/pue=1.1,1.2", "--format", "sqlite"]

# Objects planted in a store never run: a trigger (or a view, or a table dcplan does not write)
# in the store --append adds to, or in a shard, is refused by name and the store left unchanged.
planted_dir = fresh_dir("planted")
for kind, sql in [("trigger", "CREATE TRIGGER evil AFTER INSERT ON results BEGIN UPDATE results "
                              "SET energy_twh = -666 WHERE rowid = new.rowid; END"),
                  ("view", "CREATE VIEW evil AS SELECT * FROM results"),
                  ("table", "CREATE TABLE evil(x)")]:
    planted = os.path.join(planted_dir, kind + ".sqlite")
    run(*small, "-o", planted)
    alter(planted, sql)
    before = open(planted, "rb").read()
    rc, _, err = run(*small, "-o", planted, "--append")
    check(rc == 2 and f'{kind} "evil"' in err, f"--append to a store holding a {kind}: {rc} {err}")
    check(open(planted, "rb").read() == before, f"the store holding a {kind} is unchanged")
    check(sqlite3.connect(planted).execute("SELECT COUNT(*) FROM results WHERE energy_twh = -666")
          .fetchone()[0] == 0, f"no row rewritten by a planted {kind}")
    check_clean(err, f"planted {kind}")
check(sorted(os.listdir(planted_dir)) == ["table.sqlite", "trigger.sqlite", "view.sqlite"],
      f"refused appends leave nothing: {os.listdir(planted_dir)}")
trap = copy(shards[0], os.path.join(planted_dir, "shard0-trigger.sqlite"))
alter(trap, "CREATE TRIGGER evil AFTER INSERT ON results BEGIN UPDATE results "
            "SET energy_twh = -666 WHERE rowid = new.rowid; END")
rc, _, err = run("merge", trap, *shards[1:], "-o", os.path.join(planted_dir, "m.sqlite"))
check(rc == 2 and 'trigger "evil"' in err, f"merge of a shard holding a trigger: {rc} {err}")

# A shard whose results is a view (here one that never ends) is refused before a row is read;
# the file-size limit only stops a regression from filling the disk.
loop_dir = fresh_dir("loop")
loop = copy(shards[1], os.path.join(loop_dir, "shard1.sqlite"))
alter(loop, "ALTER TABLE results RENAME TO stored",
      "CREATE VIEW results AS WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c) "
      "SELECT stored.* FROM c, stored")
rc, err = run_limited("merge", shards[0], loop, *shards[2:], "-o",
                      os.path.join(loop_dir, "m.sqlite"), fsize=50_000_000)
check(rc == 2 and '"results" is a view' in err, f"merge of a shard whose results is a view: {rc} {err}")
check(sorted(os.listdir(loop_dir)) == ["shard1.sqlite"], f"nothing left: {os.listdir(loop_dir)}")
meta_view = copy(shards[1], os.path.join(loop_dir, "meta-view.sqlite"))
alter(meta_view, "ALTER TABLE meta RENAME TO m2", "CREATE VIEW meta AS SELECT * FROM m2")
rc, err = run_limited("merge", shards[0], meta_view, *shards[2:], "-o", os.path.join(loop_dir, "m.sqlite"))
check(rc == 2 and '"meta" is a view' in err, f"merge of a shard whose meta is a view: {rc} {err}")

# Merge checks every shard's runs and rows as the csv merge does: a truncated shard, a shard
# holding another shard's runs, a run with rows missing, rows of another sweep id.
check_dir = fresh_dir("shardcheck")
truncated = copy(shards[1], os.path.join(check_dir, "truncated.sqlite"))
alter(truncated, "DELETE FROM results WHERE run = (SELECT MAX(run) FROM runs)",
      "DELETE FROM runs WHERE run = (SELECT MAX(run) FROM runs)")
rc, _, err = run("merge", shards[0], truncated, *shards[2:], "-o", os.path.join(check_dir, "m.sqlite"))
check(rc == 2 and "the shard ends before run 9 (truncated?)" in err, f"a truncated shard: {rc} {err}")
rc, out, _ = run(*args, "--shard", "1/4")
csv_truncated = os.path.join(check_dir, "s1.csv")
open(csv_truncated, "w").write("\n".join(l for l in out.splitlines() if not l.startswith("9,")) + "\n")
csv_shards = []
for k in (0, 2, 3):
    rc, out, _ = run(*args, "--shard", f"{k}/4")
    csv_shards.append(os.path.join(check_dir, f"s{k}.csv"))
    open(csv_shards[-1], "w").write(out)
rc, _, csv_err = run("merge", csv_shards[0], csv_truncated, *csv_shards[1:])
check(rc == 2 and "the shard ends before run 9 (truncated?)" in csv_err,
      f"the csv merge says the same of a truncated shard: {rc} {csv_err}")
impostor = copy(shards[2], os.path.join(check_dir, "impostor.sqlite"))
alter(impostor, "UPDATE meta SET shard = '1/4'")
rc, _, err = run("merge", shards[0], impostor, shards[2], shards[3], "-o", os.path.join(check_dir, "m.sqlite"))
check(rc == 2 and "run 2 does not belong in shard 1/4" in err, f"a shard holding another's runs: {rc} {err}")
per_run = db(whole).execute("SELECT COUNT(*) FROM results WHERE run = 0").fetchone()[0]
short = copy(shards[1], os.path.join(check_dir, "short.sqlite"))
alter(short, "DELETE FROM results WHERE rowid = (SELECT MAX(rowid) FROM results WHERE run = 5)")
rc, _, err = run("merge", shards[0], short, *shards[2:], "-o", os.path.join(check_dir, "m.sqlite"))
check(rc == 2 and f"run 5 has {per_run - 1} rows, the others {per_run}" in err, f"a run with a row missing: {rc} {err}")
other_id = copy(shards[1], os.path.join(check_dir, "other-id.sqlite"))
alter(other_id, "UPDATE results SET sweep = 7 WHERE run = 5")
rc, _, err = run("merge", shards[0], other_id, *shards[2:], "-o", os.path.join(check_dir, "m.sqlite"))
check(rc == 2 and "sweep 7" in err, f"rows of another sweep id: {rc} {err}")
check(not os.path.exists(os.path.join(check_dir, "m.sqlite")), "refused merges write nothing")

# --append that cannot write its copy of the store says so (not "malformed"), exit 2, the store
# untouched and nothing left beside it.
full_dir = fresh_dir("full")
full = copy(sweep_db, os.path.join(full_dir, "store.sqlite"))
before = open(full, "rb").read()
rc, err = run_limited(*small, "-o", full, "--append", fsize=len(before) // 2)
check(rc == 2 and "cannot copy the store: File too large" in err and "malformed" not in err,
      f"--append past the file-size limit: {rc} {err}")
check(open(full, "rb").read() == before and os.listdir(full_dir) == ["store.sqlite"],
      f"the store is untouched, nothing left: {os.listdir(full_dir)}")

# A store path that is a FIFO (or any non-regular file) is refused before it is opened.
fifo_dir = fresh_dir("fifo")
fifo = os.path.join(fifo_dir, "pipe")
os.mkfifo(fifo)
for extra in ([], ["--append"]):
    rc, err = run_limited(*small, "-o", fifo, *extra, timeout=20)
    check(rc == 2 and fifo in err and "FIFO" in err, f"sqlite -o FIFO {extra}: {rc} {err}")
rc, err = run_limited("run", MINIMAL, "--format", "sqlite", "-o", fifo, timeout=20)
check(rc == 2 and "FIFO" in err, f"run --format sqlite -o FIFO: {rc} {err}")
rc, err = run_limited("merge", *shards, "-o", fifo, timeout=20)
check(rc == 2 and "FIFO" in err, f"merge -o FIFO: {rc} {err}")
check(os.listdir(fifo_dir) == ["pipe"], f"nothing left beside the FIFO: {os.listdir(fifo_dir)}")

# Region ids that differ only in case are refused for every format (a store's column names,
# like SQLite's, ignore case), naming both ids and the pointer.
cased = json.load(open(MINIMAL))
cased["regions"]["US-east"] = cased["regions"]["us-east"]
cased_path = os.path.join(d, "cased.json")
json.dump(cased, open(cased_path, "w"))
for cmd in (["validate", cased_path], ["run", cased_path, "--format", "csv"],
            ["run", cased_path, "--format", "sqlite", "-o", os.path.join(d, "cased.sqlite")],
            ["sweep", cased_path, "--vary", "/regions/US-east/pue=1.1,1.2", "--vary",
             "/regions/us-east/pue=1.3,1.4", "--format", "sqlite", "-o", os.path.join(d, "cased.sqlite")]):
    rc, _, err = run(*cmd)
    check(rc == 2 and "/regions/us-east" in err and '"US-east"' in err and '"us-east"' in err
          and "case" in err, f"{cmd[0]} of region ids differing in case: {rc} {err}")
check(not os.path.exists(os.path.join(d, "cased.sqlite")), "no store of a refused scenario")
# A sweep of another scenario whose parameter differs from a column of the store only in case
# goes into that column (SQLite's column names ignore case).
upper = json.load(open(MINIMAL))
upper["regions"] = {"US-east": upper["regions"]["us-east"]}
upper["regions"]["US-east"]["initial"]["fleet"] = {"h100": {"2024": 40000}}
upper_path = os.path.join(d, "upper.json")
json.dump(upper, open(upper_path, "w"))
mixed = os.path.join(d, "mixed-case.sqlite")
run(*small, "-o", mixed)
rc, _, err = run("sweep", upper_path, "--vary", "/regions/US-east/pue=1.3,1.4", "--format", "sqlite",
                 "-o", mixed, "--append")
check(rc == 0, f"--append of a parameter differing only in case from a column: {rc} {err}")
check(sorted(r[0] for r in db(mixed).execute('SELECT "/regions/us-east/pue" FROM runs')) ==
      [1.1, 1.2, 1.3, 1.4], "both sweeps' values in the one column")

# Two appends at once (to an existing store, and to one neither finds) both land: each waits
# for the other's lock instead of renaming its copy over the other's.
race_dir = fresh_dir("race")
for existing in (True, False):
    target = os.path.join(race_dir, f"store-{existing}.sqlite")
    if existing:
        run(*small, "-o", target)
    procs = [subprocess.Popen([DCPLAN, "sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.8,1.2)",
                               "--samples", "300", "--seed", str(seed), "--jobs", "1", "--format",
                               "sqlite", "-o", target, "--append"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for seed in (11, 12)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    check(all(rc == 0 for rc, _ in results), f"concurrent appends (existing={existing}): {results}")
    seeds = sorted(s for (s,) in db(target).execute("SELECT seed FROM meta WHERE seed IN (11, 12)"))
    check(seeds == [11, 12], f"both appends kept (existing={existing}): {seeds}")
    rows = db(target).execute("SELECT COUNT(DISTINCT sweep) FROM runs").fetchone()[0]
    check(rows == (3 if existing else 2), f"every sweep's runs kept (existing={existing}): {rows}")
check(sorted(os.listdir(race_dir)) == ["store-False.sqlite", "store-True.sqlite"],
      f"no lock or temporary file left: {os.listdir(race_dir)}")
finish()
