#!/usr/bin/env python3
"""Validates kith's exports with independent parsers (vobject, icalendar).

    python3 tests/validate_exports.py VCF ICS EXPECT.json

EXPECT.json: {"cards": N, "names": [...], "notes": {name: note},
              "todos": N, "events": N, "leap_rrule": "…", "uids": [...]}
Exits 0 when everything matches; prints what differs otherwise.
"""
import json, sys

import icalendar
import vobject

vcf_path, ics_path, expect_path = sys.argv[1:4]
expect = json.load(open(expect_path))
problems = []

def check_lines(path):
    data = open(path, "rb").read()
    if b"\n" in data.replace(b"\r\n", b""):
        problems.append(f"{path}: a line ends without CRLF")
    for i, line in enumerate(data.split(b"\r\n")):
        if len(line) > 75:
            problems.append(f"{path}:{i+1}: {len(line)} octets (more than 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path}:{i+1}: folding split a UTF-8 character")

check_lines(vcf_path)
check_lines(ics_path)

cards = list(vobject.readComponents(open(vcf_path, encoding="utf-8").read()))
if len(cards) != expect["cards"]:
    problems.append(f"vobject read {len(cards)} cards, expected {expect['cards']}")
names = sorted(c.fn.value for c in cards)
if names != sorted(expect["names"]):
    problems.append(f"names {names} != {sorted(expect['names'])}")
for c in cards:
    want = expect.get("notes", {}).get(c.fn.value)
    if want is not None:
        got = c.note.value if hasattr(c, "note") else None
        if got != want:
            problems.append(f"{c.fn.value}: NOTE {got!r} != {want!r}")
    want_org = expect.get("orgs", {}).get(c.fn.value)
    if want_org is not None:
        got = c.org.value[0] if hasattr(c, "org") else None
        if got != want_org:
            problems.append(f"{c.fn.value}: ORG {got!r} != {want_org!r}")

cal = icalendar.Calendar.from_ical(open(ics_path, "rb").read())
todos = cal.walk("VTODO")
events = cal.walk("VEVENT")
if len(todos) != expect["todos"]:
    problems.append(f"{len(todos)} VTODO, expected {expect['todos']}")
if len(events) != expect["events"]:
    problems.append(f"{len(events)} VEVENT, expected {expect['events']}")
for comp in todos + events:
    for prop in ("UID", "DTSTAMP"):
        if comp.get(prop) is None:
            problems.append(f"{comp.name} without {prop}")
    stamp = comp.get("DTSTAMP")
    if stamp is not None and stamp.dt.tzinfo is None:
        problems.append("DTSTAMP is not UTC")
uids = sorted(str(c.get("UID")) for c in todos + events)
if "uids" in expect and uids != sorted(expect["uids"]):
    problems.append("UIDs changed between exports")
leap = [e for e in events if "BYMONTHDAY" in (e.get("RRULE") or {})]
if expect.get("leap_rrule"):
    got = sorted(leap[0].get("RRULE").to_ical().decode().split(";")) if leap else None
    if got != sorted(expect["leap_rrule"].split(";")):
        problems.append(f"leap-day RRULE {got!r} != {expect['leap_rrule']!r}")
summaries = sorted(str(c.get("SUMMARY")) for c in todos + events)
for s in expect.get("summaries", []):
    if s not in summaries:
        problems.append(f"missing SUMMARY {s!r} in {summaries}")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(cards)} cards, {len(todos)} to-dos, {len(events)} events")
print(json.dumps(uids))
