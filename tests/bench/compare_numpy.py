"""dcplan against the NumPy model (numpy_model.py) on the benchmark scenario, one core each.

1. The same numbers: the budget scaled by nine listed factors, every year's total energy and
   capex of every run within 1e-9 (relative) of dcplan's.
2. The same statistics: the budget scaled by uniform(0.8, 1.2) draws (each its own generator),
   the mean 2032 energy within four standard errors.
3. Speed per run, side by side, twice (the machine is noisy), and the ratio.

Usage: compare_numpy.py DCPLAN SCENARIO"""
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core for NumPy too
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import numpy_model  # noqa: E402

dcplan, scenario = sys.argv[1], sys.argv[2]
merged = subprocess.run([dcplan, "validate", "--merged", scenario], capture_output=True, text=True,
                        check=True).stdout
doc = __import__("json").loads(merged)
failures = 0

# 1. The same numbers.
factors = [0.8 + 0.05 * i for i in range(9)]
years, energy, capex = numpy_model.simulate(doc, factors)
out = subprocess.run([dcplan, "sweep", scenario, "--vary", "/capex/budget*=" + ",".join(map(repr, factors)),
                      "--metrics", "energy_twh,capex_usd", "--jobs", "1"],
                     capture_output=True, text=True, check=True).stdout
worst = 0.0
for line in out.splitlines()[2:]:
    run, _, year, region, e, c = line.split(",")
    if region != "total":
        continue
    s, t = int(run), years.index(int(year))
    for mine, theirs in ((energy[s, t], float(e)), (capex[s, t], float(c))):
        worst = max(worst, abs(mine - theirs) / max(abs(theirs), 1e-300))
print(f"same numbers: worst relative difference over {len(factors)} runs x {len(years)} years: {worst:.2e}")
if worst > 1e-9:
    failures += 1
    print("FAIL: NumPy and dcplan disagree", file=sys.stderr)

# 2 and 3. The same statistics, and the time per run.
runs_np, runs_dc = 2000, 20000
for round_ in (1, 2):
    rng = np.random.default_rng(round_)
    draws = rng.uniform(0.8, 1.2, runs_np)
    start = time.perf_counter()
    _, energy, _ = numpy_model.simulate(doc, draws)
    t_np = (time.perf_counter() - start) / runs_np
    start = time.perf_counter()
    out = subprocess.run([dcplan, "sweep", scenario, "--vary", "/capex/budget*=uniform(0.8,1.2)",
                          "--samples", str(runs_dc), "--seed", str(round_), "--summary", "--jobs", "1",
                          "--metrics", "energy_twh"], capture_output=True, text=True, check=True).stdout
    t_dc = (time.perf_counter() - start) / runs_dc
    last = [line.split(",") for line in out.splitlines() if line.startswith(f"{years[-1]},total,energy_twh,")][0]
    mean_dc = float(last[4])
    mean_np, se_np = energy[:, -1].mean(), energy[:, -1].std(ddof=1) / np.sqrt(runs_np)
    agree = abs(mean_np - mean_dc) < 4 * se_np
    failures += 0 if agree else 1
    print(f"round {round_}: NumPy {t_np * 1e6:.0f} us a run ({runs_np} runs), dcplan sweep --jobs 1 "
          f"{t_dc * 1e6:.0f} us a run ({runs_dc} runs, process start included): dcplan "
          f"{t_np / t_dc:.1f}x faster; mean {years[-1]} energy {mean_np:.4f} vs {mean_dc:.4f} TWh "
          f"({'within' if agree else 'NOT within'} 4 standard errors)")
sys.exit(1 if failures else 0)
