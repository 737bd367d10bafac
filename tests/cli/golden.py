"""Golden regression files: the csv output of every shipped scenario, compared value by value."""
import csv
import glob
import io
import os

REL = 1e-9


def shipped():
    return sorted(p for p in glob.glob("scenarios/**/*.json", recursive=True)
                  if "/catalog/" not in p and not p.endswith(".gates.json"))


def golden_path(scenario):
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
