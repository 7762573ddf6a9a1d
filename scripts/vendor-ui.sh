#!/usr/bin/env bash
# Copies the browser libraries the page uses from their Debian packages into
# ui/vendor/, which programming-api serves (no npm, no build step): CodeMirror
# 5 from libjs-codemirror, with bracket matching and every language mode the
# package has (mode/<name>/<name>.js: the page loads the one its assignment's
# runner names, so a new runner needs nothing here).
# run.sh, test.sh and the image build call it; ui/vendor/ is not in git.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ensure_apt libjs-codemirror

src=/usr/share/javascript/codemirror
dest=ui/vendor/codemirror
rm -rf "$dest"
mkdir -p "$dest"
for file in lib/codemirror.js lib/codemirror.css addon/edit/matchbrackets.js; do
  cp "$src/$file" "$dest/$(basename "$file")"
done
mkdir -p "$dest/mode"
for dir in "$src"/mode/*/; do
  cp -r "$dir" "$dest/mode/"
done
# Only the modes themselves: the package's demos and tests stay out.
find "$dest/mode" -type f ! -name '*.js' -delete
find "$dest/mode" -name 'test.js' -delete
# The package's licence travels with the copy.
if [[ -f /usr/share/doc/libjs-codemirror/copyright ]]; then
  cp /usr/share/doc/libjs-codemirror/copyright "$dest/COPYRIGHT"
fi
