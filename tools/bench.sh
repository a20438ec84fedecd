#!/usr/bin/env bash
# The driver behind `make bench`: boots the benchmark image (tests/bench/)
# headless, waits for its "bench: done", and prints the table, one line
# per operation:
#
#	BENCH <name> <median> (min <min>) <unit>
#
# then writes the same as JSON to $B/bench.json. Exits non-zero on a
# PANIC, a "bench: error", QEMU's exit before "bench: done", or a timeout.
#
#   tools/bench.sh ISO
#
# Environment: ACCEL (tcg, the default, or kvm), ICOUNT (1, the default,
# or 0; TCG only), B (the build directory), BENCH_TIMEOUT (seconds).
#
# Modes and units (docs/perf.md):
#   tcg-icount  TCG, -cpu max, -icount shift=0,align=off,sleep=off: the
#               guest TSC advances one tick per guest instruction, so the
#               figures are instructions, identical from run to run.
#   tcg         TCG, -cpu max, no icount: the TSC follows the host clock;
#               cycles, but of an emulation, and noisy.
#   kvm         KVM, -cpu host: real cycles.
set -u
cd "$(dirname "$0")/.." || exit 1

ISO=${1:?usage: tools/bench.sh ISO}
ACCEL=${ACCEL:-tcg}
ICOUNT=${ICOUNT:-1}
B=${B:-build}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-240}
LOG=$B/bench.log
JSON=$B/bench.json

case $ACCEL in
kvm)
	accel="-accel kvm -cpu host"
	cpu=host
	mode=kvm                # ICOUNT does not apply: -icount needs TCG
	unit=cycles
	note="TSC cycles under KVM"
	;;
tcg)
	accel="-accel tcg -cpu max"
	cpu=max
	if [ "$ICOUNT" = 0 ]; then
		mode=tcg
		unit=cycles
		note="TCG without icount: the TSC follows the host clock under emulation; noisy, indicative only"
	else
		accel="$accel -icount shift=0,align=off,sleep=off"
		mode=tcg-icount
		unit=instr
		note="TCG with icount shift=0: one TSC tick per guest instruction; exact, identical from run to run"
	fi
	;;
*)
	echo "bench: ACCEL must be tcg or kvm, not '$ACCEL'" >&2
	exit 2
	;;
esac

# One CPU: client and server of every operation share it.
qemu="qemu-system-x86_64 -machine q35 -m 256M -smp 1 $accel -no-reboot"
qemu="$qemu -display none -monitor none -serial file:$LOG -cdrom $ISO"

echo "bench: $qemu"
echo "bench: mode $mode, unit $unit: $note"

rm -f "$JSON"
: > "$LOG"
start=$SECONDS
$qemu > "$B/bench.qemu" 2>&1 &
pid=$!
outcome=timeout
while [ $((SECONDS - start)) -lt "$BENCH_TIMEOUT" ]; do
	if grep -aq 'PANIC' "$LOG"; then
		outcome=panic
		break
	fi
	if grep -aq '^bench: error' "$LOG"; then
		outcome=error
		break
	fi
	if grep -aq '^bench: done' "$LOG"; then
		outcome=finished
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		outcome=exited
		break
	fi
	sleep 0.2
done
# The line that ended the boot may still be on its way out of the UART.
[ "$outcome" = timeout ] || sleep 0.5
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

if [ "$outcome" != finished ]; then
	echo "bench: FAILED: $outcome after $((SECONDS - start))s (see $LOG, $B/bench.qemu)" >&2
	tr -d '\r' < "$LOG" | tail -25 | sed 's/^/    /' >&2
	exit 1
fi

# The program's lines: "BENCH name median min".
results=$(tr -d '\r' < "$LOG" | grep -aE '^BENCH [A-Za-z0-9_]+ [0-9]+\.[0-9] [0-9]+\.[0-9]$')
if [ -z "$results" ]; then
	echo "bench: FAILED: no BENCH lines (see $LOG)" >&2
	exit 1
fi
tr -d '\r' < "$LOG" | grep -a '^bench: ' | sed 's/^/guest: /'
echo "$results" | awk -v u="$unit" '{ printf "BENCH %s %s (min %s) %s\n", $2, $3, $4, u }'

# JSON, without python: the strings here hold no control characters.
json_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -1)
{
	printf '{\n'
	printf '  "mode": %s,\n' "$(json_str "$mode")"
	printf '  "unit": %s,\n' "$(json_str "$unit")"
	printf '  "note": %s,\n' "$(json_str "$note")"
	printf '  "qemu": %s,\n' "$(json_str "$qemu")"
	printf '  "qemu_version": %s,\n' "$(json_str "$qemu_version")"
	printf '  "cpu": %s,\n' "$(json_str "$cpu")"
	printf '  "host_cpu": %s,\n' "$(json_str "$host_cpu")"
	# "bench: N operations, B batches of I iterations each; ..."
	shape=$(tr -d '\r' < "$LOG" | sed -n 's/^bench: [0-9]* operations, \([0-9]*\) batches of \([0-9]*\) iterations.*/\1 \2/p' | head -1)
	shape=${shape:-null null}
	printf '  "batches": %s,\n' "${shape% *}"
	printf '  "iterations": %s,\n' "${shape#* }"
	printf '  "operations": {\n'
	echo "$results" | awk -v u="$unit" '
		{ line[NR] = sprintf("    \"%s\": { \"median\": %s, \"min\": %s, \"unit\": \"%s\" }", $2, $3, $4, u) }
		END { for (i = 1; i <= NR; i++) printf "%s%s\n", line[i], i < NR ? "," : "" }'
	printf '  }\n'
	printf '}\n'
} > "$JSON"
echo "bench: results in $JSON ($((SECONDS - start))s)"
