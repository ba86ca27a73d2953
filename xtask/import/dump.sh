#!/bin/sh
# Writes the JSON dump `cargo xtask import --from` reads, from the vendor's published
# packages at the pinned versions below (both MIT licensed):
#   @larksuiteoapi/lark-mcp  request schemas (zod), titles and doc links of its tools
#   lark-oapi (PyPI)         the Python SDK: endpoints, models, uploads and downloads
# Needs npm, node, pip and python3; downloads with `npm pack` and `pip download` only.
#
# usage: xtask/import/dump.sh OUT.json
# then:  cargo xtask import --from OUT.json [--out schema/]
#
# To follow a vendor release, change the versions, rerun both commands and review the
# diff of schema/.
set -eu

LARK_MCP_VERSION=0.5.1
LARK_OAPI_VERSION=1.7.5

out=${1:?usage: dump.sh OUT.json}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "@larksuiteoapi/lark-mcp@$LARK_MCP_VERSION" >/dev/null)
mkdir "$work/mcp"
tar -xzf "$work"/larksuiteoapi-lark-mcp-"$LARK_MCP_VERSION".tgz -C "$work/mcp"

pip download --quiet --no-deps --only-binary=:all: -d "$work" "lark-oapi==$LARK_OAPI_VERSION"
mkdir "$work/oapi"
python3 -m zipfile -e "$work"/lark_oapi-"$LARK_OAPI_VERSION"-py3-none-any.whl "$work/oapi"

node "$here/dump_mcp.js" "$work/mcp/package" > "$work/mcp.json"
python3 "$here/dump_oapi.py" "$work/oapi" "$work/mcp.json" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out (lark-mcp $LARK_MCP_VERSION, lark-oapi $LARK_OAPI_VERSION)" >&2
