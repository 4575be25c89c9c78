#!/bin/sh
# Runs the plugin on a sample request and checks its answer.
set -eu
cd "$(dirname "$0")"
out=$(printf '%s' '{"protocol":1,"hook":"check","vault":"/v","as_of":"2026-11-22","settings":null,"notes":[{"path":"people/ann.md","entries":[{"line":10,"text":"Call her on +49 151 1234 5678.\nPlan: 2026-11-30.\nMail ann@example.com"}]}]}' | python3 contact_in_log.py)
echo "$out" | grep -q '"line": 12, "severity": "error", "message": "phone number' || { echo "FAIL phone: $out"; exit 1; }
echo "$out" | grep -q 'email address `ann@example.com`' || { echo "FAIL email: $out"; exit 1; }
[ "$(echo "$out" | grep -o '"path"' | wc -l)" -eq 2 ] || { echo "FAIL: dates are not phone numbers: $out"; exit 1; }
echo "contact-in-log: ok"
