# The shell session, sourced by tests/run.sh (session_add in cases.sh):
# one boot of the system image, typing into the serial console and
# checking what the shell answers. Each step waits for the output it
# needs (the prompt, or a line) with a timeout; no fixed sleeps.
#
# session_main runs in the session's background job with the helpers of
# tests/run.sh (session_type, session_mark, session_expect,
# session_output, session_result); CHECKS lists what it reports, in order.

CHECKS=(boot echo ps unknown-command leak ctrl-c backspace ctrl-u kill-refused reboot)

PROMPT='^mica> $'       # the prompt is the last thing printed, no newline

# sh_run STEP TEXT [ERE...]: types TEXT (printf %b escapes, usually ending
# in \r), then waits for each ERE and for the next prompt. On failure
# sets WHY to "STEP: ..." and returns 1. The step's output stays
# available through session_output until the next sh_run.
sh_run() {
	local step=$1 text=$2 re
	shift 2
	session_mark
	session_type "$text"
	for re in "$@" "$PROMPT"; do
		if ! session_expect "$re"; then
			if [ "$re" = "$PROMPT" ]; then
				WHY="$step: no new prompt: $WHY"
			else
				WHY="$step: no line matching '$re': $WHY"
			fi
			return 1
		fi
	done
}

# sh_check CHECK COMMAND...: runs COMMAND; records PASS with the detail
# it left in DETAIL, or FAIL with WHY.
sh_check() {
	local check=$1 t0=$SECONDS
	shift
	DETAIL="" WHY=""
	if "$@"; then
		session_result PASS "$check" "${DETAIL:+$DETAIL, }$((SECONDS - t0))s"
	else
		session_result FAIL "$check" "$WHY" "$(stat -c %s "$LOG")"
	fi
}

sh_boot() {
	session_mark
	if ! session_expect "^sh: Mica shell; 'help' lists the commands\$" "$GUEST_TIMEOUT" ||
		! session_expect "$PROMPT"; then
		WHY="waiting for the shell's banner and prompt: $WHY"
		return 1
	fi
	DETAIL="prompt $((SECONDS - start))s after QEMU started"
}

sh_echo() {
	sh_run "echo hello" 'echo hello\r' '^hello$'
}

sh_ps() {
	local t
	sh_run ps 'ps\r' '^ +ID NAME +THREADS STATE +THREAD +PRIO +PAGES$' || return 1
	for t in init console sh; do
		if ! session_output | grep -Eaq "^ +[0-9]+ $t +[0-9]+ running "; then
			WHY="ps: no line '  N $t  N running ...'"
			return 1
		fi
	done
}

sh_unknown() {
	sh_run "unknown command" 'frobnicate\r' \
		"^sh: unknown command 'frobnicate' \\(try help\\)\$"
}

# sh_free STEP: runs mem; sets FREE to its free KiB.
sh_free() {
	sh_run "$1" 'mem\r' \
		'^memory: [0-9]+ KiB total, [0-9]+ KiB free, [0-9]+ KiB used \(programs [0-9]+ KiB, kernel and init [0-9]+ KiB\); kernel quota reserved [0-9]+ KiB$' ||
		return 1
	FREE=$(session_output | sed -n 's/^memory: [0-9]* KiB total, \([0-9]*\) KiB free.*/\1/p' | head -1)
}

# One round of commands, each checked for its answer.
sh_round() {
	local r=$1
	sh_run "round $r: echo" 'echo leak check\r' '^leak check$' &&
	sh_run "round $r: ps" 'ps\r' '^ +[0-9]+ sh +[0-9]+ running ' &&
	sh_run "round $r: uptime" 'uptime\r' '^up [0-9]+\.[0-9]{3} s$' &&
	sh_run "round $r: help" 'help\r' 'echo' &&
	sh_run "round $r: unknown command" 'nosuch\r' "^sh: unknown command 'nosuch'" &&
	sh_run "round $r: kill without a name" 'kill\r' '^kill: usage: kill NAME$'
}

sh_leak() {
	local f0 f1 f2
	sh_free "mem before" || return 1
	f0=$FREE
	sh_round 1 || return 1
	sh_free "mem after round 1" || return 1
	f1=$FREE
	sh_round 2 || return 1
	sh_free "mem after round 2" || return 1
	f2=$FREE
	DETAIL="free KiB $f0 -> $f1 (round 1) -> $f2 (round 2)"
	if [ "$f1" != "$f2" ]; then
		WHY="round 2 leaked: $DETAIL"
		return 1
	fi
}

# Ctrl-C on a half-typed line: "^C", a new prompt, the text not run (not
# then, nor with the next line).
sh_ctrl_c() {
	sh_run "Ctrl-C" 'echo cancelled\003' '\^C$' || return 1
	sh_run "the line after Ctrl-C" 'echo after\r' '^after$' || return 1
	if session_output | grep -aq '^cancelled$'; then
		WHY="the cancelled line ran"
		return 1
	fi
}

# Backspace (DEL, as terminals send it) edits the line: "echo helo", two
# erased, "llo" typed: "echo hello".
sh_backspace() {
	sh_run backspace 'echo helo\177\177llo\r' '^hello$'
}

# Ctrl-U erases the whole line.
sh_ctrl_u() {
	sh_run "Ctrl-U" 'echo discarded\025echo kept\r' '^kept$' || return 1
	if session_output | grep -aq '^discarded'; then
		WHY="Ctrl-U: the erased text ran"
		return 1
	fi
}

# kill refuses init and names nobody runs, with a reason.
sh_kill_refused() {
	sh_run "kill init" 'kill init\r' '^kill: init: not permitted$' &&
	sh_run "kill nosuch" 'kill nosuch\r' '^kill: nosuch: no such task$'
}

# reboot resets the machine: under -no-reboot QEMU exits.
sh_reboot() {
	local t0=$SECONDS
	session_mark
	session_type 'reboot\r'
	while kill -0 "$QPID" 2>/dev/null; do
		if [ $((SECONDS - t0)) -ge "$SESSION_STEP_TIMEOUT" ]; then
			WHY="reboot: QEMU still runs after ${SESSION_STEP_TIMEOUT}s"
			return 1
		fi
		sleep 0.1
	done
	sleep 0.3               # the last bytes on their way out of the pipe
	if ! session_output | grep -aq '^init: rebooting$'; then
		WHY="reboot: QEMU exited without 'init: rebooting'"
		return 1
	fi
}

session_main() {
	sh_check boot sh_boot
	if ! grep -q '^PASS boot ' "$CHECKS_FILE"; then
		return          # the rest are reported "not run"
	fi
	sh_check echo sh_echo
	sh_check ps sh_ps
	sh_check unknown-command sh_unknown
	sh_check leak sh_leak
	sh_check ctrl-c sh_ctrl_c
	sh_check backspace sh_backspace
	sh_check ctrl-u sh_ctrl_u
	sh_check kill-refused sh_kill_refused
	sh_check reboot sh_reboot       # the last: the machine is gone after it
}
