#!/usr/bin/env python3
"""Edit-to-searchable latency with `kith watch` running.

    python3 bench/watch_latency.py VAULT [EDITS]

Starts `kith watch` on VAULT, then EDITS times (default 50): appends a unique
word to a note (a plain in-place write), and polls `kith search WORD --json`
until the note is found. Prints the median and worst latency in ms. The poll
itself costs a process start, so the figures are an upper bound.
"""
import json, os, random, statistics, subprocess, sys, time

vault = sys.argv[1]
edits = int(sys.argv[2]) if len(sys.argv) > 2 else 50
kith = os.path.join(os.path.dirname(__file__), "..", "target", "release", "kith")
watch = subprocess.Popen([kith, "--vault", vault, "watch", "--quiet"])
try:
    status = os.path.join(vault, ".kith", "cache", "watch.json")
    for _ in range(600):
        if os.path.exists(status):
            break
        time.sleep(0.1)
    people = sorted(os.listdir(os.path.join(vault, "people")))
    rng = random.Random(7)
    lat = []
    for i in range(edits):
        note = os.path.join(vault, "people", rng.choice(people))
        word = f"zqx{i}latency{rng.randrange(10**9)}"
        start = time.monotonic()
        with open(note, "a") as f:
            f.write(f"\n{word}\n")
        while True:
            r = subprocess.run([kith, "--vault", vault, "search", word, "--json"], capture_output=True)
            if r.returncode == 0 and json.loads(r.stdout):
                break
            if time.monotonic() - start > 10:
                raise SystemExit(f"edit {i} not searchable after 10 s")
        lat.append((time.monotonic() - start) * 1000)
    print(f"{edits} edits: median {statistics.median(lat):.0f} ms, worst {max(lat):.0f} ms")
finally:
    watch.terminate()
    watch.wait()
