#!/usr/bin/env python3
"""kith plugin: a digest section listing open needs of people you have not
talked to for more than N days (settings.days, default 60) — someone may be
waiting for the help you could give or find."""
import datetime as dt, json, sys

def main():
    req = json.load(sys.stdin)
    days = int((req.get("settings") or {}).get("days", 60))
    as_of = dt.date.fromisoformat(req["as_of"])
    items = []
    for note in req["notes"]:
        person = note.get("person") or {}
        needs = person.get("needs") or []
        if not needs:
            continue
        dates = [e["date"] for e in note.get("entries", []) if e.get("date")]
        if person.get("last_contact"):
            dates.append(person["last_contact"])
        if not dates:
            continue
        last = max(dt.date.fromisoformat(d) for d in dates)
        waited = (as_of - last).days
        if waited > days:
            items.append((waited, {
                "text": f"{person['name']} needs “{needs[0]}” — {waited} days since you last talked",
                "path": note["path"],
                "line": 1,
            }))
    items.sort(key=lambda x: -x[0])
    sections = [{"title": "Needs waiting for help", "items": [i for _, i in items[:5]]}] if items else []
    json.dump({"sections": sections}, sys.stdout)

main()
