#!/usr/bin/env python3
"""promtext.py: check a Prometheus text exposition with an independent parser.

usage: promtext.py check FILE      parse FILE with prometheus_client's parser (Debian
                                   python3-prometheus-client) and check what pxcmesh promises:
                                   every family has HELP and TYPE before its samples, its
                                   samples together, the pxcmesh_ prefix, counters end in
                                   _total, no sample twice. Prints each sample as
                                   NAME{k="v",...} VALUE, sorted; exit 1 on the first breach.
       promtext.py families FILE   print the family names, one a line.
"""
import re
import sys

from prometheus_client.parser import text_string_to_metric_families


def fail(msg):
    print("promtext: " + msg, file=sys.stderr)
    sys.exit(1)


def structure(text):
    """What the parser forgives: order and grouping of HELP, TYPE and samples."""
    if not text.endswith("\n"):
        fail("the last line does not end with a line feed")
    helped, typed, done, current = set(), {}, set(), None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if name in helped:
                fail(f"line {n}: a second HELP for {name}")
            helped.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4:
                fail(f"line {n}: TYPE needs a name and a type: {line!r}")
            name, kind = parts[2], parts[3]
            if kind not in ("counter", "gauge", "histogram", "summary", "untyped"):
                fail(f"line {n}: unknown type {kind!r}")
            if name in typed:
                fail(f"line {n}: a second TYPE for {name}")
            if name not in helped:
                fail(f"line {n}: TYPE of {name} before its HELP")
            typed[name] = kind
            if current is not None:
                done.add(current)
            current = name
            continue
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
        if not m:
            fail(f"line {n}: not a sample: {line!r}")
        name = m.group(1)
        if name not in typed:
            fail(f"line {n}: sample of {name} before its TYPE")
        if name != current:
            fail(f"line {n}: sample of {name} outside its family's block (after {current})")
    for name, kind in typed.items():
        if not name.startswith("pxcmesh_"):
            fail(f"{name}: no pxcmesh_ prefix")
        if (kind == "counter") != name.endswith("_total"):
            fail(f"{name}: a counter's name ends in _total, and only a counter's")


def samples(text):
    out, seen = [], set()
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in seen:
                fail(f"sample twice: {s.name}{dict(s.labels)}")
            seen.add(key)
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            out.append(f"{s.name}{{{labels}}} {s.value!r}")
    return sorted(out)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "families"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[2], encoding="utf-8") as f:
        text = f.read()
    if sys.argv[1] == "families":
        for fam in text_string_to_metric_families(text):
            print(fam.name + ("_total" if fam.type == "counter" else ""))
        return
    structure(text)
    for line in samples(text):
        print(line)


if __name__ == "__main__":
    main()
