#!/usr/bin/env python3
"""kith plugin: a phone number or email address typed into a log entry is an
error (it belongs in `phones:` / `emails:`, where kith can find it)."""
import json, re, sys

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PHONE = re.compile(r"(?<![\w/.-])\+?\d[\d ()/-]{7,}\d(?![\w/-])")

def main():
    req = json.load(sys.stdin)
    if req.get("protocol") != 1:
        print(f"contact-in-log: unsupported protocol {req.get('protocol')}", file=sys.stderr)
        sys.exit(1)
    diags = []
    for note in req["notes"]:
        for e in note.get("entries", []):
            for i, line in enumerate(e.get("text", "").splitlines()):
                for kind, rx, key in (("email address", EMAIL, "emails"), ("phone number", PHONE, "phones")):
                    m = rx.search(line)
                    if m and key == "phones" and (
                        DATE.fullmatch(m.group(0).strip()) or sum(c.isdigit() for c in m.group(0)) < 8
                    ):
                        m = None
                    if m:
                        diags.append({
                            "path": note["path"],
                            # The entry's text starts two lines below its heading.
                            "line": e["line"] + 2 + i,
                            "severity": "error",
                            "message": f"{kind} `{m.group(0).strip()}` in a log entry",
                            "hint": f"move it to `{key}:` in the front matter",
                        })
    json.dump({"diagnostics": diags}, sys.stdout)

main()
