"""Every command of the docs runs: README.md, scenarios/**/*.md and docs/*.md.

A fenced block labelled sh, bash or shell is a list of commands, one a line (a line ending in a
backslash, or with a quote still open, continues on the next; a line of assignments such as
`BASE=a.json` sets variables for the file's later commands); a block labelled console is a
transcript: a line starting with `$ ` is a command, the lines after it what it prints, each of
which must appear in its output (`...` stands for lines left out). Every command runs in order,
through bash, in a directory of its own per file holding a copy of scenarios/, with the built
dcplan on the PATH (and as build/dcplan), and must exit 0, or N when its line ends with a
comment `# exit N`. A failure names the file and line of the command.

A block that cannot run in a test (it installs, builds, needs a cluster or runs for minutes) is
skipped by a marker on the line before its fence, `<!-- docs-test: skip REASON -->`, and every
skipped block is listed with its reason on each run. A block with no label holding a dcplan
command is an error: label it sh, console or text.

Also checked: the commands leave the repository as it was; the generated docs
(docs/scenario-reference.md, docs/results.md) are what the binary generates; every relative link
and image of these files leads to a file, and every #anchor to a heading.

    python3 tests/cli/test_docs_commands.py build/dcplan [FILE.md ...]
"""
import glob
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, finish, run, tempdir  # noqa: E402

SHELL = {"sh", "bash", "shell"}
CONSOLE = {"console"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
SKIP = re.compile(r"^\s*<!--\s*docs-test:\s*skip\b(.*?)-->\s*$")
ASSIGNMENTS = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*=\S+\s*)+$")
EXPECT_EXIT = re.compile(r"#\s*exit\s+(\d+)\b")
DCPLAN_CALL = re.compile(r"(^|[\s;&|(])(\S*/)?dcplan\s")
TIMEOUT = 600


def doc_files():
    if len(sys.argv) > 2:
        return sys.argv[2:]
    return (["README.md"] + sorted(glob.glob("scenarios/**/*.md", recursive=True))
            + sorted(glob.glob("docs/*.md")))


def blocks(path):
    """The fenced blocks of a markdown file: (first line number, label, [(number, text)],
    skip reason or None, whether a skip marker stood before it)."""
    found = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, label, fence_line = m.group(2), m.group(3).lower(), i + 1
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        marker = SKIP.match(lines[j]) if j >= 0 else None
        body = []
        i += 1
        closing = re.compile(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
        while i < len(lines) and not closing.match(lines[i]):
            body.append((i + 1, lines[i]))
            i += 1
        found.append((fence_line, label, body, marker.group(1).strip() if marker else None,
                      marker is not None))
        i += 1
    return found


def continues(command):
    """Whether a command goes on to the next line: a backslash ends it, or a quote is open."""
    if command.rstrip().endswith("\\"):
        return True
    try:
        shlex.split(command, comments=True)
    except ValueError:  # No closing quotation
        return True
    return False


def commands(label, body):
    """[(line number, command, [expected output lines])] of a shell or console block."""
    out = []
    pending = None  # [line, text] of a command that goes on
    for number, text in body:
        if pending is not None:
            pending[1] += "\n" + text
            if not continues(pending[1]):
                out.append((pending[0], pending[1], []))
                pending = None
            continue
        stripped = text.strip()
        if label in CONSOLE:
            if stripped.startswith("$ "):
                command = text.split("$ ", 1)[1]
            else:
                if out and stripped and stripped != "...":
                    out[-1][2].append(text.rstrip())
                continue
        else:
            if not stripped or stripped.startswith("#"):
                continue
            command = text
        if continues(command):
            pending = [number, command]
        else:
            out.append((number, command, []))
    if pending is not None:
        out.append((pending[0], pending[1], []))
    return out


def tree_digest():
    """What the commands must not change: the docs, the scenarios, the golden files."""
    digest = {}
    for root in ["README.md", "docs", "scenarios", "tests/golden"]:
        paths = [root] if os.path.isfile(root) else [
            os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
        for p in paths:
            digest[p] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return digest


# --- links and anchors ---------------------------------------------------------------------------

def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation removed, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    in_block = False
    for line in open(path, encoding="utf-8"):
        if FENCE.match(line):
            in_block = not in_block
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and not in_block:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def check_links(path):
    text = open(path, encoding="utf-8").read()
    prose = []
    in_block = False
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            in_block = not in_block
            continue
        if not in_block:
            prose.append((number, re.sub(r"`[^`]*`", "", line)))
    for number, line in prose:
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", line):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = (os.path.normpath(os.path.join(os.path.dirname(path), file_part))
                    if file_part else path)
            check(os.path.exists(dest), f"{path}:{number}: the link {target} leads to no file")
            if anchor and dest.endswith(".md") and os.path.isfile(dest):
                check(anchor in anchors(dest),
                      f"{path}:{number}: the link {target}: {dest} has no heading #{anchor}")


# --- the run -------------------------------------------------------------------------------------

files = doc_files()
before = tree_digest()
bindir = tempdir()
os.symlink(os.path.abspath(DCPLAN), os.path.join(bindir, "dcplan"))
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
env.pop("SOURCE_DATE_EPOCH", None)
ran, dcplan_calls, skipped, timings = 0, 0, [], []
for path in files:
    check_links(path)
    work = None
    variables = []
    for start, label, body, reason, marked in blocks(path):
        runnable = label in SHELL or label in CONSOLE
        if marked:
            check(runnable, f"{path}:{start}: a skip marker before a {label or 'unlabelled'} "
                            "block, which is not run anyway")
            check(bool(reason), f"{path}:{start}: a skip marker without its reason")
        if not runnable:
            check(label or not any(re.match(r"^\s*(\$ )?dcplan\s", t) for _, t in body),
                  f"{path}:{start}: an unlabelled block with a dcplan command: label it sh, "
                  "console (a transcript) or text (not run)")
            continue
        if reason is not None:
            skipped.append((path, start, reason, len(commands(label, body))))
            continue
        if work is None:
            work = tempdir()
            shutil.copytree("scenarios", os.path.join(work, "scenarios"))
            os.makedirs(os.path.join(work, "build"))
            os.symlink(os.path.abspath(DCPLAN), os.path.join(work, "build", "dcplan"))
        for number, command, expected in commands(label, body):
            where = f"{path}:{number}"
            if ASSIGNMENTS.match(command):
                variables.append(command.strip())
                continue
            m = EXPECT_EXIT.search(command.split("\n")[-1])
            want = int(m.group(1)) if m else 0
            script = "".join(v + "\n" for v in variables) + command
            started = time.monotonic()
            try:
                p = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                                   text=True, timeout=TIMEOUT)
                rc, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired:
                rc, out, err = "timeout", "", f"still running after {TIMEOUT} s"
            timings.append((time.monotonic() - started, where))
            ran += 1
            dcplan_calls += bool(DCPLAN_CALL.search(command))
            short = " ".join(command.replace("\\\n", " ").split())
            check(rc == want, f"{where}: `{short[:200]}` exits {rc}, not {want}: {err[-600:]}")
            printed = {line.rstrip() for line in (out + "\n" + err).split("\n")}
            for line in expected:
                check(line in printed, f"{where}: `{short[:120]}` does not print the line "
                                       f"{line.strip()[:200]!r} the docs show")

# The commands wrote nothing into the repository.
after = tree_digest()
changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
check(not changed, f"the docs' commands changed files of the repository: {changed}")

# The generated docs are what the binary generates, untouched by hand.
for name, args in [("docs/scenario-reference.md", ["schema", "--markdown"]),
                   ("docs/results.md", ["metrics", "--markdown"])]:
    rc, out, err = run(*args)
    check(rc == 0 and out == open(name, encoding="utf-8").read(),
          f"{name} is `dcplan {' '.join(args)}`, not edited by hand (regenerate it with "
          f"build/dcplan {' '.join(args)} -o {name})")

check(ran >= 50 or len(sys.argv) > 2, f"at least 50 commands of the docs run, found {ran}")
print(f"{ran} commands of {len(files)} files run ({dcplan_calls} of them call dcplan); "
      f"slowest: " + ", ".join(f"{where} {t:.1f} s" for t, where in sorted(timings)[::-1][:3]))
print(f"{len(skipped)} blocks of {sum(n for *_, n in skipped)} commands skipped by their "
      "docs-test marker:")
for path, start, reason, n in skipped:
    print(f"  {path}:{start}: {n} command{'s' if n > 1 else ''}: {reason}")
finish()
