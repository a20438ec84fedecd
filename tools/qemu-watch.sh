# qemu_watch PID LOG STOP TIMEOUT: watches a headless guest's serial log
# until a PANIC line ("panic"), a line matching the extended regular
# expression STOP ("stopped"), the exit of QEMU process PID ("exited") or
# TIMEOUT seconds ("timeout"); then stops QEMU and sets QEMU_OUTCOME.
# It must run in the shell that started QEMU (not in $(...)): only the
# parent can reap it, and an unreaped QEMU still answers kill -0.
# Sourced by tests/run.sh and tools/bench.sh.
qemu_watch() {
	local pid=$1 log=$2 stop=$3 timeout=$4 start=$SECONDS outcome=timeout

	while [ $((SECONDS - start)) -lt "$timeout" ]; do
		if grep -aq 'PANIC' "$log"; then
			outcome=panic
			break
		fi
		if tr -d '\r' < "$log" | grep -aqE -- "$stop"; then   # lines end in CR LF
			outcome=stopped
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
	QEMU_OUTCOME=$outcome
}
