#!/usr/bin/env bash
# generate-onnx-swift.sh: regenerates Sources/ONNXProtobuf/onnx.pb.swift from third_party/onnx.proto.
#
# Needs protoc (Debian's protobuf-compiler) and swift-protobuf's protoc-gen-swift at the version
# Package.swift pins (1.39.0). The plugin is built from the local Swift package mirror into
# .build-protoc (about 10 minutes the first time) unless PROTOC_GEN_SWIFT names one. The output
# is committed, so neither tool is needed to build convkit; run this only after replacing
# onnx.proto. swift-format leaves the generated file alone (its first line says so).
# The generated file repeats itself by nature (the same coding methods for every message):
# duplicate-code pairs inside it stay (see the target's README).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
folder="$root/Sources/ONNXProtobuf"
version=1.39.0
command -v protoc >/dev/null || { echo "generate-onnx-swift.sh: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

plugin="${PROTOC_GEN_SWIFT:-}"
if [ -z "$plugin" ]; then
    source="$root/.build-protoc/swift-protobuf"
    if [ ! -d "$source" ]; then
        git clone -q "${SWIFT_PROTOBUF_GIT:-https://github.com/apple/swift-protobuf}" "$source"
    fi
    git -C "$source" checkout -q "$version"
    (cd "$source" && swift build -c release --product protoc-gen-swift --scratch-path "$root/.build-protoc/build")
    plugin="$root/.build-protoc/build/release/protoc-gen-swift"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public \
    --swift_out="$work" --proto_path="$folder/third_party" "$folder/third_party/onnx.proto"
{ echo "// swift-format-ignore-file"; cat "$work/onnx.pb.swift"; } > "$folder/onnx.pb.swift"
echo "wrote $folder/onnx.pb.swift ($(wc -l < "$folder/onnx.pb.swift") lines)"
