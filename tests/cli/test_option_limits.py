"""Options are taken as written or refused, never bent: a seed outside 0..2^64-1, an empty
--output-dir; a file-size limit (ulimit -f) makes a write fail cleanly, with nothing left behind."""
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = os.path.abspath("scenarios/examples/minimal.json")
d = tempdir()

# --seed: -1, 2^64 and 1e23 were all clamped to 2^64-1 in silence.
commands = {
    "sweep": ["sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.9,1.1)", "--samples", "2", "--by",
              "total"],
    "optimize": ["optimize", MINIMAL, "--minimize", "cost_per_eflop_year_usd@2030", "--vary",
                 "/capex/budget*=0.8:1.2", "--max-runs", "10"],
    "sensitivity": ["sensitivity", MINIMAL, "--metric", "energy_twh@2030", "--vary",
                    "/capex/budget*=0.8:1.2", "--vary", "/regions/us-east/pue=1.1:1.3"],
}
for name, args in commands.items():
    for bad in ["-1", "18446744073709551616", "1e23", "7x", "+5", " 5"]:
        rc, out, err = run("-q", *args, "--seed=" + bad)
        check(rc == 2 and "0..18446744073709551615" in err,
              f"{name} --seed={bad!r} is refused naming the range: {rc} {err[:300]}")
        check_clean(err, f"{name} --seed={bad}")
    rc, out, err = run("-q", *args, "--seed", "18446744073709551615", "-o", os.devnull)
    check(rc == 0, f"{name} --seed 2^64-1 is taken: {rc} {err[:300]}")

# man --output-dir '': it wrote man1/ and man5/ into the current directory.
cwd = os.path.join(d, "cwd")
os.makedirs(cwd)
rc, out, err = run("man", "--output-dir", "", cwd=cwd)
check(rc == 2 and "--output-dir" in err, f"man --output-dir '' is refused: {rc} {err}")
check(os.listdir(cwd) == [], f"... and writes nothing: {os.listdir(cwd)}")


def limited(limit_bytes):
    """A child whose files may not grow past limit_bytes (SIGXFSZ as a shell leaves it)."""
    def pre():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return pre


# ulimit -f: the write fails with EFBIG (exit 2, a message), no temporary file, no output.
out_dir = os.path.join(d, "small")
os.makedirs(out_dir)
target = os.path.join(out_dir, "out.json")
for args in (["run", MINIMAL, "--format", "json", "-o", target],
             ["sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.5,1.5)", "--samples", "50", "-o", target]):
    p = subprocess.run([DCPLAN, *args], capture_output=True, text=True, timeout=120,
                       preexec_fn=limited(4096), restore_signals=True)
    check(p.returncode == 2, f"{args[0]} past ulimit -f exits 2 (not SIGXFSZ): {p.returncode} "
          f"{p.stderr[:300]}")
    check("File too large" in p.stderr, f"{args[0]}: says why: {p.stderr[:300]}")
    check(os.listdir(out_dir) == [], f"{args[0]}: nothing left behind: {os.listdir(out_dir)}")
    check_clean(p.stderr, f"{args[0]} past ulimit -f")
finish()
