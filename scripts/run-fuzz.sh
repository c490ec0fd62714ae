#!/usr/bin/env bash
# Builds herald-fuzz with libFuzzer and AddressSanitizer (its own scratch directory, so the normal build is untouched)
# and runs each fuzz target for FUZZ_SECONDS from the committed corpus in Tests/FuzzCorpus/<target>.
# Prints executions and coverage per target; exits 1 if any target crashed, leaking no process and leaving the
# reproducer in $FUZZ_SCRATCH/fuzz-artifacts/<target>/ (replay: .build/debug/herald-fuzz <target> <file>).
#
#   FUZZ_SECONDS=30        time per target
#   FUZZ_TARGETS="json form-body"   only these (default: all, as `HERALD_FUZZ_TARGET=list herald-fuzz` prints them)
#   FUZZ_RSS_LIMIT_MB=2048 FUZZ_TIMEOUT=10   memory per process and seconds per input before libFuzzer calls it a bug
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
seconds=${FUZZ_SECONDS:-30}
scratch=${FUZZ_SCRATCH:-.build-fuzz}
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

started=$(date +%s)
$SWIFT build --scratch-path "$scratch" -c debug --product herald-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DHERALD_FUZZING -Xcc -DHERALD_FUZZING || exit 1
built=$(date +%s)
binary="$scratch/debug/herald-fuzz"
declare -A max_len
while read -r name length; do max_len[$name]=$length; done < <(HERALD_FUZZ_TARGET=list "$binary" 2>/dev/null)
targets=${FUZZ_TARGETS:-${!max_len[*]}}
targets=$(tr ' ' '\n' <<<"$targets" | sort | tr '\n' ' ')

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1}
failed=()
printf '%-20s %12s %8s %8s %s\n' target executions cov ft result
for target in $targets; do
    if [[ -z "${max_len[$target]:-}" ]]; then
        echo "unknown fuzz target '$target' (known: ${!max_len[*]})" >&2
        exit 2
    fi
    corpus="$scratch/fuzz-corpus/$target"
    artifacts="$scratch/fuzz-artifacts/$target/"
    log="$scratch/fuzz-logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    HERALD_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
        -rss_limit_mb="$rss_limit" -timeout="$timeout" -print_final_stats=1 -artifact_prefix="$artifacts" \
        "$corpus" "Tests/FuzzCorpus/$target" >"$log" 2>&1
    status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    coverage=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$coverage")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$coverage")
    if [[ $status -eq 0 ]]; then
        result=ok
    else
        reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        result="CRASH (exit $status): ${reproducer:-see $log}"
        failed+=("$target")
    fi
    printf '%-20s %12s %8s %8s %s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
finished=$(date +%s)
echo "build $((built - started)) s, fuzzing $((finished - built)) s (${seconds} s per target); logs in $scratch/fuzz-logs"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "crashed: ${failed[*]}; each log shows the failure, the reproducer is in $scratch/fuzz-artifacts/<target>/" >&2
    echo "replay without sanitizers: swift build --product herald-fuzz && .build/debug/herald-fuzz <target> <reproducer>" >&2
    exit 1
fi
