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
#   tools/bench.sh LABEL=ISO [LABEL=ISO ...]
#
# With labels (make bench: one image per kernel configuration, e.g.
# fastpath=1,lazy=0), each image is booted in turn and its table printed
# as a section of its own, under a line "bench: configuration LABEL";
# the lines within a section keep the form above, and a last table puts
# the configurations side by side. bench.json then has one "operations"
# object per configuration under "configurations" (and the first one's as
# "operations" too).
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
. tools/qemu-watch.sh

[ $# -ge 1 ] || { echo "usage: tools/bench.sh ISO | LABEL=ISO..." >&2; exit 2; }
ACCEL=${ACCEL:-tcg}
ICOUNT=${ICOUNT:-1}
B=${B:-build}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-240}
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
qemu_cmd() {
	echo "qemu-system-x86_64 -machine q35 -m 256M -smp 1 $accel -no-reboot" \
		"-display none -monitor none -serial file:$1 -cdrom $2"
}

rm -f "$JSON"
total_start=$SECONDS
labels=()
declare -A res
n=0
for arg in "$@"; do
	n=$((n + 1))
	case $arg in
	*=*.iso) label=${arg%=*}; iso=${arg##*=} ;;
	*) label=default; iso=$arg ;;
	esac
	labels+=("$label")
	if [ $# -gt 1 ] || [ "$label" != default ]; then
		LOG=$B/bench-$n.log
		QLOG=$B/bench-$n.qemu
	else
		LOG=$B/bench.log
		QLOG=$B/bench.qemu
	fi
	qemu=$(qemu_cmd "$LOG" "$iso")
	echo
	echo "bench: configuration $label ($iso)"
	echo "bench: $qemu"
	echo "bench: mode $mode, unit $unit: $note"

	: > "$LOG"
	start=$SECONDS
	$qemu > "$QLOG" 2>&1 &
	pid=$!
	qemu_watch "$pid" "$LOG" '^bench: (done|error)' "$BENCH_TIMEOUT"
	outcome=$QEMU_OUTCOME
	if [ "$outcome" = stopped ]; then
		if grep -aq '^bench: done' "$LOG"; then outcome=finished; else outcome=error; fi
	fi

	if [ "$outcome" != finished ]; then
		echo "bench: FAILED: $label: $outcome after $((SECONDS - start))s (see $LOG, $QLOG)" >&2
		tr -d '\r' < "$LOG" | tail -25 | sed 's/^/    /' >&2
		exit 1
	fi

	# The program's lines: "BENCH name median min".
	results=$(tr -d '\r' < "$LOG" | grep -aE '^BENCH [A-Za-z0-9_]+ [0-9]+\.[0-9] [0-9]+\.[0-9]$')
	if [ -z "$results" ]; then
		echo "bench: FAILED: $label: no BENCH lines (see $LOG)" >&2
		exit 1
	fi
	res[$label]=$results
	tr -d '\r' < "$LOG" | grep -a '^bench: ' | sed 's/^/guest: /'
	echo "$results" | awk -v u="$unit" '{ printf "BENCH %s %s (min %s) %s\n", $2, $3, $4, u }'
	echo "bench: $label: $((SECONDS - start))s"
	# "bench: N operations, B batches of I iterations each; ..."
	shape=$(tr -d '\r' < "$LOG" | sed -n 's/^bench: [0-9]* operations, \([0-9]*\) batches of \([0-9]*\) iterations.*/\1 \2/p' | head -1)
done

# Side by side: medians, one column per configuration.
if [ ${#labels[@]} -gt 1 ]; then
	echo
	echo "bench: medians ($unit), one column per configuration:"
	{
		printf 'operation'
		for l in "${labels[@]}"; do printf ' %s' "$l"; done
		printf '\n'
		for l in "${labels[@]}"; do echo "${res[$l]}" | awk -v l="$l" '{ print "V", l, $2, $3 }'; done
	} | awk '
		NR == 1 { ncol = NF - 1; for (i = 2; i <= NF; i++) col[i - 1] = $i; hdr = $0; next }
		$1 == "V" { if (!($3 in seen)) { seen[$3] = 1; order[++nop] = $3 } v[$3, $2] = $4 }
		END {
			printf "  %-30s", "operation"
			for (c = 1; c <= ncol; c++) printf " %20s", col[c]
			printf "\n"
			for (i = 1; i <= nop; i++) {
				printf "  %-30s", order[i]
				for (c = 1; c <= ncol; c++) printf " %20s", ((order[i], col[c]) in v) ? v[order[i], col[c]] : "-"
				printf "\n"
			}
		}'
fi

# JSON, without python: the strings here hold no control characters.
json_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}
ops_json() {
	echo "$1" | awk -v u="$unit" -v ind="$2" '
		{ line[NR] = sprintf("%s\"%s\": { \"median\": %s, \"min\": %s, \"unit\": \"%s\" }", ind, $2, $3, $4, u) }
		END { for (i = 1; i <= NR; i++) printf "%s%s\n", line[i], i < NR ? "," : "" }'
}
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
qemu_version=$(qemu-system-x86_64 --version 2>/dev/null | head -1)
{
	printf '{\n'
	printf '  "mode": %s,\n' "$(json_str "$mode")"
	printf '  "unit": %s,\n' "$(json_str "$unit")"
	printf '  "note": %s,\n' "$(json_str "$note")"
	printf '  "qemu": %s,\n' "$(json_str "$(qemu_cmd LOG ISO)")"
	printf '  "qemu_version": %s,\n' "$(json_str "$qemu_version")"
	printf '  "cpu": %s,\n' "$(json_str "$cpu")"
	printf '  "host_cpu": %s,\n' "$(json_str "$host_cpu")"
	shape=${shape:-null null}
	printf '  "batches": %s,\n' "${shape% *}"
	printf '  "iterations": %s,\n' "${shape#* }"
	printf '  "operations": {\n'
	ops_json "${res[${labels[0]}]}" '    '
	printf '  },\n'
	printf '  "configurations": {\n'
	i=0
	for l in "${labels[@]}"; do
		i=$((i + 1))
		printf '    %s: {\n' "$(json_str "$l")"
		ops_json "${res[$l]}" '      '
		printf '    }%s\n' "$([ $i -lt ${#labels[@]} ] && echo ,)"
	done
	printf '  }\n'
	printf '}\n'
} > "$JSON"
echo "bench: results in $JSON ($((SECONDS - total_start))s)"
