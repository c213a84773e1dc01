#!/usr/bin/env bash
# Render the boot comparison's HTML report in a real headless browser and save a screenshot, to look at
# what `vfsim boot --compare --html` produces. Needs Debian's chromium: `apt-get install -y chromium`.
# Usage: scripts/boot-report-screenshot.sh [OUT.png] (default boot-report.png); builds first.
set -euo pipefail
out="${1:-boot-report.png}"
html="$(mktemp --suffix=.html)"
trap 'rm -f "$html"' EXIT
npm run build >/dev/null
node dist/src/cli/main.js boot --compare --html "$html" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,700 --screenshot="$out" "file://$html" 2>/dev/null
echo "wrote $out"
