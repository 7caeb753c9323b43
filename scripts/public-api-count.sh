#!/usr/bin/env bash
# public-api-count: the number of public declarations in each Swift module under Sources/.
#
# A public declaration is a line of a .swift file whose first word, after any attributes
# (@inlinable, @discardableResult, ...), is `public` or `open`: types, functions, properties,
# initializers, subscripts, typealiases and enum cases of public enums declared that way, and
# `public extension` lines. Members of a public protocol (public without the keyword) and
# `package` or internal declarations are not counted. Generated code (ONNXProtobuf) is counted
# like any other module. Usage: bash scripts/public-api-count.sh [MODULE...]
set -euo pipefail
cd "$(dirname "$0")/../Sources"
if [ "$#" -gt 0 ]; then
  modules=("$@")
else
  modules=()
  for dir in */; do
    find "$dir" -name '*.swift' | grep -q . && modules+=("${dir%/}")
  done
fi
for module in "${modules[@]}"; do
  count=$(find "$module" -name '*.swift' -print0 \
    | xargs -0 cat \
    | grep -cE '^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*(public|open)[[:space:](]' \
    || true)
  printf '%-16s %5d\n' "$module" "$count"
done
