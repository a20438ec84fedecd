#!/usr/bin/env bash
# The test runner behind `make test`: host unit tests, then guest tests that
# boot the ISOs headless under QEMU and check the serial log. Prints one
# line per test and ends with "N passed, N failed"; exits non-zero on any
# failure, panic or timeout.
#
#   tests/run.sh [unit|guest|all]      (make builds the ISOs first)
#
# Environment: CC (host compiler), ACCEL (tcg|kvm), OVMF (UEFI firmware),
# JOBS (guests booted at once; default: the number of CPUs), ONLY (an
# extended regular expression: only the guest cases and sessions whose
# names match), SESSION_STEP_TIMEOUT (seconds a session waits for each
# answer; default 30).
set -u
cd "$(dirname "$0")/.."
. tools/qemu-watch.sh

WHAT=${1:-all}
OUT=build/tests
CC=${CC:-gcc}
ACCEL=${ACCEL:-tcg}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-180}
pass=0
fail=0

report() {      # report STATUS NAME [DETAIL]
	if [ "$1" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	echo "$1 $2${3:+: $3}"
}

# ------------------------------------------------------------ unit tests
# libc_objects DIR SRC...: compiles libc sources into DIR as for the target
# (freestanding, against libc/include and the ABI headers, with run_unit's
# sanitizers) and renames each global symbol they define from X to libc_X,
# so that a test links them beside the host's C library and calls both.
# Prints the objects.
libc_objects() {
	local dir=$1 src obj objs=()
	shift
	mkdir -p "$dir/include"
	ln -sfn "$PWD/kernel/include/abi" "$dir/include/abi"
	for src in "$@"; do
		obj="$dir/$(basename "$src" .c).o"
		$CC -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wstrict-prototypes \
			-Wmissing-prototypes -Wshadow -ffreestanding -fno-stack-protector \
			-I"$dir/include" -Ilibc/include $san -c "$src" -o "$obj" >&2 || return 1
		objs+=("$obj")
	done
	nm --defined-only -g "${objs[@]}" |
		awk 'NF == 3 { print $3, "libc_" $3 }' | sort -u > "$dir/rename"
	for obj in "${objs[@]}"; do
		objcopy --redefine-syms="$dir/rename" "$obj" || return 1
	done
	echo "${objs[@]}"
}

run_unit() {
	local cflags="-std=gnu11 -O1 -g -Wall -Wextra -Werror -Ikernel/include
		-Ikernel/platform/pc/include -Ikernel/arch/x86_64/include"
	local san="-fsanitize=address,undefined -fno-sanitize-recover=all"
	local t name srcs libc objs bin log line

	mkdir -p "$OUT/unit"
	# Sanitizers where the host compiler can link them.
	echo 'int main(void){return 0;}' > "$OUT/unit/probe.c"
	$CC $san "$OUT/unit/probe.c" -o "$OUT/unit/probe" 2>/dev/null || san=""
	for t in tests/unit/test_*.c; do
		[ -e "$t" ] || continue
		name=$(basename "$t" .c)
		bin="$OUT/unit/$name"
		log="$OUT/unit/$name.log"
		# The kernel sources a test links are named in its "sources:" line.
		srcs=$(sed -n 's|^ \* sources: ||p' "$t")
		# The libc sources, in its "libc:" line, are built apart.
		libc=$(sed -n 's|^ \* libc: ||p' "$t")
		objs=""
		if [ -n "$libc" ] && ! objs=$(libc_objects "$OUT/unit/$name.libc" $libc 2> "$log"); then
			report FAIL "unit.$name" "libc does not build (see $log)"
			sed 's/^/    /' "$log" | head -20
			continue
		fi
		if ! $CC $cflags $san "$t" $srcs $objs -o "$bin" > "$log" 2>&1; then
			report FAIL "unit.$name" "does not build (see $log)"
			sed 's/^/    /' "$log" | head -20
			continue
		fi
		"$bin" > "$log" 2>&1
		local rc=$?
		while IFS= read -r line; do
			case "$line" in
			PASS\ *) report PASS "unit.${line#PASS }" ;;
			FAIL\ *) report FAIL "unit.${line#FAIL }" ;;
			esac
		done < "$log"
		if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
			report FAIL "unit.$name" "exited with status $rc (see $log)"
			tail -20 "$log" | sed 's/^/    /'
		fi
	done
}

# ------------------------------------------------------------ guest tests
if [ "$ACCEL" = kvm ]; then
	QEMU_ACCEL="-accel kvm -cpu host"
else
	QEMU_ACCEL="-accel tcg -cpu max"
fi

# guest_boot NAME ISO STOP QEMU-ARGS...: boots ISO with the serial port
# in $OUT/guest/NAME.log until a PANIC line (outcome "panic"), a line
# matching the extended regular expression STOP ("stopped"), QEMU's exit ("exited") or the timeout
# ("timeout"); writes the outcome and the seconds from QEMU start to
# NAME.result.
guest_boot() {
	local name=$1 iso=$2 stop=$3
	shift 3
	local log="$OUT/guest/$name.log" res="$OUT/guest/$name.result"
	local start=$SECONDS pid outcome

	: > "$log"
	qemu-system-x86_64 $QEMU_ACCEL -no-reboot -display none -monitor none \
		-serial "file:$log" -cdrom "$iso" "$@" > "$OUT/guest/$name.qemu" 2>&1 &
	pid=$!
	qemu_watch "$pid" "$log" "$stop" "$GUEST_TIMEOUT"
	outcome=$QEMU_OUTCOME
	echo "$outcome $((SECONDS - start))" > "$res"
}

# The cases: name, ISO, what ends the boot, QEMU arguments, and after
# "--" the extended regular expressions that must each match a log line.
CASES=()
case_add() {
	[[ -z "${ONLY:-}" || "$1" =~ $ONLY ]] || return 0
	CASES+=("$(printf '%q ' "$@")")
}

# Interactive sessions: name, ISO, a script (tests/guest/*.sh) that types
# into the serial port and checks the answers, QEMU arguments. One boot
# reports one line per check the script lists in its CHECKS array, each
# named guest.NAME.CHECK.
SESSIONS=()
session_add() {
	[[ -z "${ONLY:-}" || "$1" =~ $ONLY ]] || return 0
	SESSIONS+=("$(printf '%q ' "$@")")
}

. tests/guest/cases.sh

# ------------------------------------------------------- sessions
# The serial port is a pair of FIFOs (QEMU's pipe chardev): NAME.serial.in
# carries what the script types, NAME.serial.out what the guest prints,
# copied to NAME.log as it comes. The script runs in the background job
# with these helpers, and records each check in NAME.checks as
# "PASS|FAIL CHECK DETAIL".
SESSION_STEP_TIMEOUT=${SESSION_STEP_TIMEOUT:-30}

session_mark() {        # the output from here on is the current step's
	MARK=$(stat -c %s "$LOG")
}

session_output() {      # the current step's output, without CRs
	tail -c +$((MARK + 1)) "$LOG" | tr -d '\r'
}

session_type() {        # session_type TEXT: types TEXT (printf %b escapes)
	printf '%b' "$1" >&"$SERIAL_IN"
}

# session_expect ERE [SECONDS]: waits until a line of the current step's
# output matches ERE (the prompt, which ends in no newline, is a line
# too). On failure sets WHY to the reason: a PANIC, QEMU's exit or the
# timeout.
session_expect() {
	local re=$1 limit=${2:-$SESSION_STEP_TIMEOUT} start=$SECONDS
	while :; do
		session_output | grep -Eaq -- "$re" && return 0
		if grep -aq PANIC "$LOG"; then
			WHY="PANIC instead"
			return 1
		fi
		if ! kill -0 "$QPID" 2>/dev/null; then
			WHY="QEMU exited instead: $(head -1 "$QERR")"
			return 1
		fi
		if [ $((SECONDS - start)) -ge "$limit" ]; then
			WHY="nothing after ${limit}s"
			return 1
		fi
		sleep 0.1
	done
}

# session_result PASS|FAIL CHECK [DETAIL [LOG-SIZE]]: records a check; a
# failure's log tail is shown as it was at LOG-SIZE bytes.
session_result() {
	echo "$1 $2 ${3:-}" >> "$CHECKS_FILE"
	[ -n "${4:-}" ] && echo "at $2 $4" >> "$CHECKS_FILE"
	return 0
}

run_session() {         # run_session NAME ISO SCRIPT QEMU-ARGS...
	local name=$1 iso=$2 script=$3
	shift 3
	local LOG="$OUT/guest/$name.log" CHECKS_FILE="$OUT/guest/$name.checks"
	local fifo="$OUT/guest/$name.serial" QERR="$OUT/guest/$name.qemu"
	local QPID catpid SERIAL_IN MARK=0 WHY=""
	local start=$SECONDS

	: > "$LOG"
	: > "$CHECKS_FILE"
	rm -f "$fifo.in" "$fifo.out"
	mkfifo "$fifo.in" "$fifo.out"
	qemu-system-x86_64 $QEMU_ACCEL -no-reboot -display none -monitor none \
		-chardev "pipe,id=serial0,path=$fifo" -serial chardev:serial0 \
		-cdrom "$iso" "$@" > "$QERR" 2>&1 &
	QPID=$!
	cat "$fifo.out" >> "$LOG" &
	catpid=$!
	exec {SERIAL_IN}<>"$fifo.in"        # read-write: never blocks
	. "$script"
	session_main
	echo "session $((SECONDS - start))" >> "$CHECKS_FILE"
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	exec {SERIAL_IN}>&-
	sleep 0.2
	kill "$catpid" 2>/dev/null
	wait "$catpid" 2>/dev/null
	rm -f "$fifo.in" "$fifo.out"
}

check_session() {       # check_session NAME ISO SCRIPT QEMU-ARGS...
	local name=$1 script=$3 log="$OUT/guest/$1.log" CHECKS=() check line detail at
	. "$script"
	for check in "${CHECKS[@]}"; do
		line=$(grep -a "^[A-Z]* $check " "$OUT/guest/$name.checks" | head -1)
		at=$(sed -n "s/^at $check //p" "$OUT/guest/$name.checks" | head -1)
		detail=${line#* $check }
		case "$line" in
		PASS\ *) report PASS "guest.$name.$check" "$detail" ;;
		FAIL\ *) report FAIL "guest.$name.$check" "$detail (see $log)" ;;
		*)       report FAIL "guest.$name.$check" "not run (see $log)" ;;
		esac
		if [ "${line%% *}" != PASS ]; then   # the log when it failed
			head -c "${at:-$(stat -c %s "$log")}" "$log" | tr -d '\r' |
				cat -v | tail -25 | awk '{ print "    " $0 }'
		fi
	done
}

run_case() {    # run_case NAME ISO STOP OUTCOME ARGS... -- EXPECT...
	local name=$1 iso=$2 stop=$3 args=()
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	guest_boot "$name" "$iso" "$stop" "${args[@]}"
}

check_case() { # check_case NAME ISO STOP OUTCOME ARGS... -- EXPECT...
	local name=$1 log="$OUT/guest/$1.log" want=$4 outcome secs missing=""
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
	[ $# -gt 0 ] && shift
	read -r outcome secs < "$OUT/guest/$name.result"
	if [ "$outcome" != "$want" ]; then
		report FAIL "guest.$name" "$outcome after ${secs}s, expected $want (see $log)"
		tr -d '\r' < "$log" | tail -25 | sed 's/^/    /'
		return
	fi
	for re in "$@"; do
		tr -d '\r' < "$log" | grep -Eaq -- "$re" || missing="$missing '$re'"
	done
	if [ -n "$missing" ]; then
		report FAIL "guest.$name" "missing:$missing (see $log)"
		tr -d '\r' < "$log" | tail -25 | sed 's/^/    /'
	else
		report PASS "guest.$name" "${secs}s"
	fi
}

run_guest() {
	local c running=0
	mkdir -p "$OUT/guest"
	for c in "${SESSIONS[@]/#/run_session }" "${CASES[@]/#/run_case }"; do
		eval "$c" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for c in "${CASES[@]}"; do
		eval "check_case $c"
	done
	for c in "${SESSIONS[@]}"; do
		eval "check_session $c"
	done
}

case "$WHAT" in
unit)  run_unit ;;
guest) run_guest ;;
all)   run_unit; run_guest ;;
*)     echo "usage: $0 [unit|guest|all]" >&2; exit 2 ;;
esac

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
