#!/usr/bin/env bash
# File: runs the whole test suite under AddressSanitizer or ThreadSanitizer and fails on any report.
#
# Every target, the convkit binary that the CLI tests start included, is built with the
# sanitizer. Reports from the test process and from every convkit child go to per-process log
# files (the sanitizer's log_path), so a report fails the run even when the test that started
# the child expected it to exit non-zero.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/sanitize.sh address|thread [swift test arguments...]

Builds every target and test with --sanitize=address (into .build-asan) or --sanitize=thread
(into .build-tsan), runs `swift test` with the given extra arguments (e.g. --filter CLITests),
and prints the build and test seconds and a summary. Exits 0 when every test passed and no
sanitizer report was written; 1 if the build fails, any test fails or any report was written,
by the test process or by a convkit process it started; 2 on a usage error.

  address   AddressSanitizer + LeakSanitizer (scripts/lsan-suppressions.txt); stops each
            process at its first error.
  thread    ThreadSanitizer with scripts/tsan-suppressions.txt; reports every race, then fails.

ASAN_OPTIONS, LSAN_OPTIONS and TSAN_OPTIONS from the environment are appended to the defaults
(later options win). Reports, one file per process, and the test output are kept in
.build-asan/sanitizer-reports/ or .build-tsan/sanitizer-reports/ until the next run.
EOF
}

case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    address) sanitizer=address; scratch=.build-asan ;;
    thread) sanitizer=thread; scratch=.build-tsan ;;
    *) usage >&2; exit 2 ;;
esac
shift

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
reports="$root/$scratch/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
test_log="$reports/swift-test.log"

# log_exe_name names each report file after its program (convkitPackageTests.xctest, convkit).
common="log_path=$reports/report:log_exe_name=1:print_suppressions=0"
if [ "$sanitizer" = address ]; then
    # A 16 MB quarantine instead of 256 MB: freed memory is held back that long to catch use
    # after free, and with the default a 2,000-file `filter` batch peaks ~330 MB above one file,
    # which BatchLoadTests refuses (its limit is 64 MB; 16 MB gives ~40 MB). 16 MB of recent
    # frees is still far more than one file's work allocates.
    export ASAN_OPTIONS="$common:halt_on_error=1:detect_leaks=1:quarantine_size_mb=16:exitcode=23${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    export LSAN_OPTIONS="suppressions=$root/scripts/lsan-suppressions.txt:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
else
    export TSAN_OPTIONS="$common:halt_on_error=0:exitcode=66:second_deadlock_stack=1:suppressions=$root/scripts/tsan-suppressions.txt${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
    # At startup ThreadSanitizer maps a 512 KiB file from $TMPDIR, else $TEST_TMPDIR, else /tmp
    # over the shadow of read-only data. Under `ulimit -f` (a CLI test runs convkit with a 16
    # block limit) that file is cut short and the first read of read-only data dies with
    # SIGBUS. A TEST_TMPDIR that cannot exist makes it skip this saving; TMPDIR would win.
    if [ -z "${TMPDIR:-}" ]; then
        export TEST_TMPDIR=/nonexistent/convkit-sanitize
    else
        echo "sanitize.sh: TMPDIR is set, so convkit under 'ulimit -f' will crash inside ThreadSanitizer" >&2
    fi
fi

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

echo "== building with --sanitize=$sanitizer into $scratch"
build_start=$(seconds)
build_status=0
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" || build_status=$?
build_end=$(seconds)
if [ "$build_status" -ne 0 ]; then
    echo "sanitize.sh: build failed (status $build_status)" >&2
    exit 1
fi

echo "== testing (reports go to $reports)"
set +e
swift test --sanitize="$sanitizer" --scratch-path "$scratch" "$@" 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
test_end=$(seconds)

# A report is a log file, or a sanitizer banner that reached the test output some other way.
report_files=$(find "$reports" -name 'report.*' -type f | sort)
stray=$(grep -cE '^(==[0-9]+==ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread)Sanitizer)' "$test_log" || true)

echo
echo "== sanitize.sh $sanitizer summary"
echo "build: $(elapsed "$build_start" "$build_end") s, test: $(elapsed "$build_end" "$test_end") s"
echo "swift test exit status: $test_status"
count=0
for file in $report_files; do
    count=$((count + 1))
    echo "report: $file"
    grep -E '^SUMMARY:' "$file" | sort | uniq -c | sed 's/^/    /' || true
done
echo "sanitizer report files: $count; banners in the test output: $stray"
if [ "$test_status" -ne 0 ] || [ "$count" -ne 0 ] || [ "$stray" -ne 0 ]; then
    echo "RESULT: FAILED"
    exit 1
fi
echo "RESULT: clean"
