"""Helpers for the CLI tests: run the real dcplan binary and check what it says."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

DCPLAN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/dcplan"
FAILURES = []
CHECKS = [0]

# Text that must never reach a user: C++ exception types and library internals.
FORBIDDEN = ["std::", "nlohmann", "json.exception", "terminate called", "what():", "Aborted",
             "Segmentation", "basic_string", "AddressSanitizer", "runtime error:"]


def run(*args, stdin=None, cwd=None, env=None):
    p = subprocess.run([DCPLAN, *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                       env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    CHECKS[0] += 1
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def check_clean(stderr, what):
    for bad in FORBIDDEN:
        check(bad not in stderr, f"{what}: stderr shows {bad!r}: {stderr[:300]}")


def finish():
    failed = len(FAILURES)
    print(f"{CHECKS[0] - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def tempdir():
    return tempfile.mkdtemp(prefix="dcplan-test-")


MINIMAL_PATH = "scenarios/examples/minimal.json"


def write_in(directory, name, doc):
    """Writes doc (text, or a JSON value) to directory/name, making its folders; the path."""
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def minimal_variant(directory, name, **patch):
    """scenarios/examples/minimal.json with top-level keys replaced, written to directory/name."""
    doc = json.load(open(MINIMAL_PATH))
    doc.update(patch)
    return write_in(directory, name, doc)


def temporaries(directory):
    """What an interrupted or failed write may have left in directory."""
    return [f for f in os.listdir(directory) if f.startswith(".dcplan-") or ".tmp." in f]


def png_colours(path):
    """Distinct colours of a PNG (8-bit RGB or RGBA, not interlaced), decoded by hand."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6) and body[12] == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, width, 2):
                colours.add(bytes(line[x * bpp:x * bpp + 3]))
        prev = line
    return len(colours), width, height
