"""The project's scripts take their arguments as data: tools/ci-compare passes a revision to git
only as the tree it names (never as an option), reads any scenario path (one starting with '-',
one in no repository, one in a missing directory) and exits 2 with a message for a bad one;
tools/install resolves a relative PREFIX against the caller's directory."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, finish, tempdir  # noqa: E402

ROOT = os.path.abspath(".")
CI_COMPARE = os.path.join(ROOT, "tools", "ci-compare")
d = tempdir()
env = dict(os.environ, DCPLAN=os.path.abspath(DCPLAN), GIT_CONFIG_GLOBAL=os.devnull,
           GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
           GIT_COMMITTER_EMAIL="t@example.org")


def sh(*args, cwd):
    p = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


# A repository holding a plan (minimal.json and its catalog) and a file named "-plan.json".
repo = os.path.join(d, "repo")
shutil.copytree(os.path.join(ROOT, "scenarios"), os.path.join(repo, "plans"))
shutil.copy(os.path.join(repo, "plans", "examples", "minimal.json"),
            os.path.join(repo, "plans", "examples", "-plan.json"))
precious = os.path.join(repo, "precious.txt")
open(precious, "w").write("keep me\n")
sh("git", "init", "-q", cwd=repo)
sh("git", "add", "-A", cwd=repo)
rc, _, err = sh("git", "commit", "-q", "-m", "plans", cwd=repo)
check(rc == 0, f"a test repository: {err}")

plan = "plans/examples/minimal.json"
rc, out, err = sh(CI_COMPARE, "HEAD", "HEAD", plan, "--by", "total", cwd=repo)
check(rc == 0, f"ci-compare HEAD HEAD: {rc} {err[-300:]}")

# A revision that is an option: git archive --output=precious.txt truncated the file.
for bad in ["--output=precious.txt", "-o", "--remote=x"]:
    rc, out, err = sh(CI_COMPARE, bad, "HEAD", plan, cwd=repo)
    check(rc == 2 and "not a revision" in err, f"ci-compare {bad}: refused: {rc} {err[-300:]}")
    rc, out, err = sh(CI_COMPARE, "HEAD", bad, plan, cwd=repo)
    check(rc == 2 and "not a revision" in err, f"ci-compare HEAD {bad}: refused: {rc} {err[-300:]}")
check(open(precious).read() == "keep me\n", "precious.txt untouched")
rc, out, err = sh(CI_COMPARE, "no-such-rev", "HEAD", plan, cwd=repo)
check(rc == 2 and "unknown revision no-such-rev" in err, f"an unknown revision: {rc} {err}")

# Scenario paths: '-plan.json' is a file, not an option of dirname; a missing directory and a
# path outside any repository are exit 2 with a message (they were 128 from git, 1 from dirname).
rc, out, err = sh(CI_COMPARE, "HEAD", "HEAD", "-plan.json", "--by", "total",
                  cwd=os.path.join(repo, "plans", "examples"))
check(rc == 0, f"a scenario named -plan.json: {rc} {err[-300:]}")
rc, out, err = sh(CI_COMPARE, "HEAD", "HEAD", "no/such/dir/plan.json", cwd=repo)
check(rc == 2 and "no directory no/such/dir" in err, f"a missing directory: {rc} {err}")
outside = os.path.join(d, "outside")
os.makedirs(outside)
shutil.copy(os.path.join(ROOT, "scenarios", "examples", "minimal.json"), outside)
rc, out, err = sh(CI_COMPARE, "HEAD", "HEAD", os.path.join(outside, "minimal.json"), cwd=outside)
check(rc == 2 and "not inside a git repository" in err, f"outside a repository: {rc} {err}")
rc, out, err = sh(CI_COMPARE, "HEAD", "HEAD", "plans/examples/absent.json", cwd=repo)
check(rc == 2 and "does not exist at HEAD" in err, f"a file absent at a revision: {rc} {err}")

# tools/install myprefix from another directory installs into that directory's myprefix. It
# installs the release build in build/; only where that is the binary under test.
if os.path.abspath(DCPLAN) == os.path.join(ROOT, "build", "dcplan"):
    caller = os.path.join(d, "caller")
    os.makedirs(caller)
    # DCPLAN_INSTALL_BUILT: install the build as it is (a build now could relink the binary
    # other tests are running).
    env["DCPLAN_INSTALL_BUILT"] = "1"
    rc, out, err = sh(os.path.join(ROOT, "tools", "install"), "myprefix", cwd=caller)
    check(rc == 0, f"tools/install myprefix: {rc} {err[-400:]}")
    check(os.access(os.path.join(caller, "myprefix", "bin", "dcplan"), os.X_OK),
          f"installed below the caller's directory: {os.listdir(caller)}")
    check(not os.path.exists(os.path.join(ROOT, "myprefix")), "nothing in the project's myprefix")
else:
    print("tools/install: skipped (the binary under test is not build/dcplan)")
finish()
