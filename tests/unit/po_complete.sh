#!/bin/sh
# Fails unless po/LANG.po translates every text marked in the sources
# today: the template is made afresh with xgettext (the same options as
# `ninja naba-pot`), so a string marked _() but not yet in LANG.po, left
# untranslated, or only fuzzy fails the test.
#   po_complete.sh SOURCE_ROOT LANG [XGETTEXT_OPTIONS...]
set -eu
root=$1 lang=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
xgettext --package-name=naba -k_ "$@" -f po/POTFILES -o "$tmp/naba.pot"
# The catalog is well-formed and its format strings match the msgids.
msgfmt --check --statistics -o /dev/null "po/$lang.po" 2>"$tmp/stats"
cat "$tmp/stats"
if grep -Eq 'fuzzy|untranslated' "$tmp/stats"; then
  echo "po/$lang.po: fuzzy or untranslated entries" >&2
  exit 1
fi
# Every msgid of the sources is in the catalog (msgcmp counts fuzzy and
# untranslated entries as missing).
msgcmp "po/$lang.po" "$tmp/naba.pot"
echo "po/$lang.po: complete"
