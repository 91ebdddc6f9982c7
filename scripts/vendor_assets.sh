#!/usr/bin/env bash
# Where each front-end asset in fangkong/static/vendor/ came from: the npm registry, at a
# pinned version. Run it to refresh them; nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=fangkong/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # package@version  file-inside-package  name-in-vendor
  local spec=$1 inner=$2 out=$3
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  local tarball
  tarball=$(ls "$tmp"/*.tgz)
  tar -xzf "$tarball" -C "$tmp"
  cp "$tmp/package/$inner" "$dest/$out"
  rm -rf "$tmp/package" "$tarball"
  echo "$out  <-  npm $spec  ($inner)"
}

mkdir -p "$dest"
fetch htmx.org@2.0.8 dist/htmx.min.js htmx.min.js
fetch @picocss/pico@2.1.1 css/pico.min.css pico.min.css
fetch jsqr@1.4.0 dist/jsQR.js jsQR.js
# Swagger UI for /api/v1/docs (fangkong/apidocs.py). Its source maps are not vendored, so the
# stylesheet's comment naming one goes: collectstatic's manifest would look for the file.
mkdir -p "$dest/swagger-ui"
fetch swagger-ui-dist@5.35.0 swagger-ui-bundle.js swagger-ui/swagger-ui-bundle.js
fetch swagger-ui-dist@5.35.0 swagger-ui-bundle.js.LICENSE.txt swagger-ui/swagger-ui-bundle.js.LICENSE.txt
fetch swagger-ui-dist@5.35.0 swagger-ui.css swagger-ui/swagger-ui.css
fetch swagger-ui-dist@5.35.0 LICENSE swagger-ui/LICENSE
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' "$dest/swagger-ui/swagger-ui.css"
