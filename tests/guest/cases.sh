# Guest test cases, sourced by tests/run.sh. Each case_add is one boot:
#
#   case_add NAME ISO STOP OUTCOME QEMU-ARGS... -- EXPECTED-LINE-ERE...
#
# STOP is an extended regular expression that ends the boot once a line of
# the serial log matches it; OUTCOME is what the harness must see: "stopped" (STOP appeared, no
# PANIC before it) or "panic" (a PANIC line came first). Each expected
# line is an extended regular expression that some log line must match.

ISO=build/mica.iso
TEST_ISO=build/test.iso
BOOT_OK='^mica: boot ok'
SHELL_UP="^sh: Mica shell; 'help' lists the commands\$"

# Lines every successful boot prints.
COMMON=(
	'^Mica [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+|unknown)(-dirty)?, abi [0-9]+\.[0-9]+\) build-id [0-9a-f]{40}$'
	'^cpu: [A-Za-z]+ family [0-9]+ model [0-9]+ stepping [0-9]+: '
	'^cpu: pcid=(yes|no) invpcid=(yes|no) smep=(yes|no) smap=(yes|no) tsc-deadline=(yes|no) x2apic=(yes|no) xsave=(yes|no) '
	'^mem: [0-9a-f]{16}-[0-9a-f]{16} usable$'
	'^paging: direct map of [0-9]+ MiB'
	'^acpi: I/O APIC id [0-9]+ at fec00000, GSI base 0$'
	'^ioapic: id [0-9]+, GSIs 0-23, all masked$'
	'^apic: local APIC id 0 in x2?APIC mode$'
	'^timer: tsc [0-9]+ kHz, lapic timer [0-9]+ kHz \(calibrated against the (HPET|PIT)\)$'
	'^timer: 100 Hz tick in (periodic|TSC-deadline) mode$'
	'^timer: 100 Hz tick running \([0-9]+ ticks seen\)$'
	"$BOOT_OK\$"
	"^root: starting 'init' \\(entry [0-9a-f]+, [0-9]+ segments\\)\$"
	'^init: hello from user mode$'
	"$SHELL_UP"
)

# The configurations a user may boot: both chipsets, small and large
# memory (8 GiB puts RAM above the 4 GiB hole), one and four CPUs, BIOS
# (SeaBIOS) and UEFI (OVMF).
for fw in bios uefi; do
	for machine in pc q35; do
		for mem in 128M 8G; do
			for smp in 1 4; do
				args=(-machine "$machine" -m "$mem" -smp "$smp")
				[ "$fw" = uefi ] && args+=(-bios "$OVMF")
				case $mem in
				128M) total='^mem: 1[0-2][0-9] MiB total, 1[0-2][0-9] MiB usable' ;;
				8G)   total='^mem: 81[0-9][0-9] MiB total, 81[0-9][0-9] MiB usable' ;;
				esac
				if [ "$smp" = 1 ]; then cpus='^acpi: 1 CPU, '; else cpus='^acpi: 4 CPUs, '; fi
				case_add "boot-$fw-$machine-$mem-smp$smp" "$ISO" "$SHELL_UP" stopped \
					"${args[@]}" -- "${COMMON[@]}" "$total" "$cpus" \
					'^framebuffer: [0-9]+x[0-9]+x32 at [0-9a-f]+, pitch [0-9]+, RGB$'
			done
		done
	done
done

# The same kernel built by clang (make clang-iso).
case_add boot-clang build/clang/mica.iso "$SHELL_UP" stopped -machine q35 -m 256M -- \
	"${COMMON[@]}"

# Boot modules are listed with their size and command line; the kernel
# command line arrives whole.
case_add modules "$TEST_ISO" "$SHELL_UP" stopped -machine q35 -m 256M -- \
	"${COMMON[@]}" \
	"^boot: loader 'GRUB [^']*', command line 'mica.test ?'$" \
	'^boot: 9 modules$' \
	"^module 0: 'init' [0-9]+ bytes at [0-9a-f]+$" \
	"^module 1: 'testmod-a first-arg second-arg' 5000 bytes at [0-9a-f]+$" \
	"^module 2: 'testmod-b' 12345 bytes at [0-9a-f]+$" \
	"^module 3: 'manifest' [0-9]+ bytes at [0-9a-f]+$"

# init survives a bad manifest: a malformed line is reported with its
# number, a module that is not an ELF image is reported, and a program
# that touches I/O ports it was not given faults and is reported, is
# restarted as its line asks (RESTARTS_MAX times), then left stopped; the
# rest (console, shell) runs (tests/guest/manifest, tests/badio/).
BADIO_REPORT='^(mica> )?init: badio faulted: general protection \(vector 13, error 0x0\) at ip 0x4[0-9a-f]{5}; stopped$'
BADIO_DOWN='^(mica> )?init: badio: restarted 3 times, left stopped$'
case_add manifest-trouble "$TEST_ISO" "$BADIO_DOWN" stopped -machine q35 -m 256M -- \
	'^init: manifest line 4: unknown option; skipped$' \
	'^init: corrupt: module testmod-b is not a program: not an ELF image \(bad magic\)$' \
	"$SHELL_UP" "$BADIO_REPORT" \
	'^(mica> )?init: badio: restarting \(1\)$' '^(mica> )?init: badio: restarting \(3\)$' \
	"$BADIO_DOWN"

# Every request init and the console serve, well-formed and malformed,
# answered with the documented code (tests/proto/: its line in
# tests/guest/manifest allows "console", "ghost" and "crashsrv", no
# control, 1 MiB heap); and a server that faults in a client's call
# (tests/crashsrv/) is restarted, its old capabilities revoked, its new
# endpoint found by a new lookup.
PROTO_DONE='^(mica> )?proto: [0-9]+ passed, [0-9]+ failed$'
case_add protocols "$TEST_ISO" "$PROTO_DONE" stopped -machine q35 -m 256M -- \
	'^(mica> )?proto: lookup a service the manifest does not allow: ok$' \
	'^proto: console: read while the shell reads: ok$' \
	'^(mica> )?init: crashsrv faulted: page fault at 0x8, ip 0x4[0-9a-f]{5} \(write, outside its memory\); stopped$' \
	'^(mica> )?init: crashsrv: restarting \(1\)$' \
	'^proto: restart: the new instance answers, restarted once: ok$' \
	'^proto: [1-9][0-9]* passed, 0 failed$'

# A CPU without the optional features (no SMEP, SMAP, 1 GiB pages, XSAVE,
# PCID, x2APIC, NX) boots with its fallbacks, and says what it lacks.
case_add cpu-minimal "$ISO" "$SHELL_UP" stopped -machine pc -m 256M -cpu qemu64,-nx -- \
	"${COMMON[@]}" \
	'^cpu: pcid=no invpcid=no smep=no smap=no tsc-deadline=no x2apic=no xsave=no nx=no 1g-pages=no '

# Without an HPET the timer is calibrated against the PIT.
case_add no-hpet "$ISO" "$SHELL_UP" stopped -machine pc,hpet=off -m 256M -- \
	"${COMMON[@]}" '^acpi: .*, HPET no$' '\(calibrated against the PIT\)$'

# Deliberate kernel exceptions: a register dump, the fault details, a
# backtrace, then PANIC.
DUMP=(
	'^  rip ffffffff8[0-9a-f]{7}  cs 0008  rflags [0-9a-f]{16}$'
	'^  rax [0-9a-f]{16}  rbx [0-9a-f]{16}  rcx [0-9a-f]{16}$'
	'^  r13 [0-9a-f]{16}  r14 [0-9a-f]{16}  r15 [0-9a-f]{16}$'
	'^  cr0 [0-9a-f]{16}  cr2 [0-9a-f]{16}  cr3 [0-9a-f]{16}  cr4 [0-9a-f]{16}$'
	'^backtrace:$'
	'^  #0  ffffffff8[0-9a-f]{7}$'
	'^  #1  ffffffff8[0-9a-f]{7}$'
)
fault_case() {  # fault_case KIND MNEMONIC VECTOR NAME [EXTRA-ERE...]
	local kind=$1 mn=$2 vec=$3 what=$4
	shift 4
	case_add "fault-$kind" "$TEST_ISO" "$BOOT_OK" panic -machine q35 -m 256M \
		-smbios "type=1,serial=mica.test.fault=$kind" -- \
		"^selftest: raising a kernel '$kind' fault on purpose$" \
		"^EXCEPTION $mn $what \(vector $vec\) in kernel mode$" \
		"${DUMP[@]}" "$@" \
		"^PANIC: unhandled kernel exception $mn $what at ffffffff8[0-9a-f]{7}$"
}
fault_case pf '#PF' 14 'page fault' \
	'^fault address 0000000000001000: page not present, write, kernel mode$'
fault_case gp '#GP' 13 'general protection'
fault_case ud '#UD' 6 'invalid opcode'
fault_case de '#DE' 0 'divide error'

# The harness itself: a panic during a boot that should succeed is a
# failure, reported as "panic", not a timeout or a pass.
case_add harness-sees-panic "$TEST_ISO" "$BOOT_OK" panic -machine q35 -m 256M \
	-smbios "type=1,serial=mica.test.fault=ud" -- '^PANIC: '

# The kernel ABI suite (tests/abi/) as the root task: every system call
# with good and bad input, each test checked for leaked slots, frames and
# quota, then the whole suite; its deliberate user faults must each be
# reported by the kernel and leave the system running.
ABI_FAULT="^fault: task 1 'abi' thread [0-9]+: "
ABI_LINES=(
	'^abi: scratch slots [0-9]+-[0-9]+; the smallest task quota is [0-9]+ bytes$'
	'^abi: \(debug_write\) from an odd address$'
	'^abi: \(debug_write\) across a page boundary$'
	'^abi: \(debug_write\) 1024 bytes: \.{988} end$'
	'^abi: \(debug_write\) kip magic: IMCAKIP$'
	"${ABI_FAULT}#UD invalid opcode \\(vector 6\\), address 0000000000000000, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	"${ABI_FAULT}#PF page fault \\(vector 14\\), address 0000000000000010, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	"${ABI_FAULT}#PF page fault \\(vector 14\\), address 00000000004[0-9a-f]{5}, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	"${ABI_FAULT}#PF page fault \\(vector 14\\), address ffffffff80100000, ip ffffffff80100000; thread stopped\$"
	"${ABI_FAULT}#GP general protection \\(vector 13\\), address 0000000000000000, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	"${ABI_FAULT}#DE divide error \\(vector 0\\), address 0000000000000000, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	"^fault: task [0-9]+ 'task' thread [0-9]+: #PF page fault \\(vector 14\\), address 0000000000001000, ip 0000000000001000; thread stopped\$"
	"^fault: task [0-9]+ 'task' thread [0-9]+: #PF page fault \\(vector 14\\), address 00000000004[0-9a-f]{5}, ip 00000000004[0-9a-f]{5}; thread stopped\$"
	'^abi: stress: [0-9]+ calls, [0-9]+ echoed, [0-9]+ aborted, [0-9]+ ended by death, 0 lost$'
	'^abi: leak check: free frames ([0-9]+) -> \1, quota used ([0-9]+) -> \2: ok$'
	'^abi: [1-9][0-9]* passed, 0 failed$'
)
case_add abi build/abi.iso '^abi: [0-9]+ passed, [0-9]+ failed' stopped -machine q35 -m 256M -- \
	"${ABI_LINES[@]}"

# The same suite with the IPC fast path and lazy scheduling compiled out.
case_add abi-slowpath build/slow/abi.iso '^abi: [0-9]+ passed, [0-9]+ failed' stopped \
	-machine q35 -m 256M -- "${ABI_LINES[@]}"

# The benchmark image (tests/bench/, make bench) boots and finishes: a
# smoke test without -icount and without any timing assertion.
BENCH_FIG='[0-9.]+ [0-9.]+$'
case_add bench build/bench.iso '^bench: done' stopped -machine q35 -m 256M -- \
	"^BENCH null_syscall $BENCH_FIG" \
	"^BENCH yield_self $BENCH_FIG" \
	"^BENCH yield_switch $BENCH_FIG" \
	"^BENCH yield_switch_fpu $BENCH_FIG" \
	"^BENCH ipc_roundtrip_0w_intra $BENCH_FIG" \
	"^BENCH ipc_roundtrip_4w_intra $BENCH_FIG" \
	"^BENCH ipc_roundtrip_8w_intra $BENCH_FIG" \
	"^BENCH ipc_roundtrip_64w_intra $BENCH_FIG" \
	"^BENCH ipc_roundtrip_0w_xas $BENCH_FIG" \
	"^BENCH ipc_roundtrip_4w_xas $BENCH_FIG" \
	"^BENCH ipc_roundtrip_8w_xas $BENCH_FIG" \
	"^BENCH ipc_roundtrip_64w_xas $BENCH_FIG" \
	"^BENCH ipc_oneway_call_intra $BENCH_FIG" \
	"^BENCH ipc_oneway_reply_wait_intra $BENCH_FIG" \
	"^BENCH ipc_oneway_call_xas $BENCH_FIG" \
	"^BENCH ipc_oneway_reply_wait_xas $BENCH_FIG" \
	"^BENCH ipc_oneway_call_8w_xas $BENCH_FIG" \
	"^BENCH ipc_oneway_call_64w_xas $BENCH_FIG" \
	"^BENCH ntfn_signal_wait_xas $BENCH_FIG" \
	"^BENCH irq_to_driver $BENCH_FIG" \
	"^BENCH pagefault_pager_xas $BENCH_FIG" \
	"^BENCH map_unmap_page $BENCH_FIG" \
	"^BENCH cap_copy_delete $BENCH_FIG" \
	'^bench: done$'

# The shell driven through the serial port (tests/guest/shell.sh): echo,
# ps, an unknown command, no memory leaked by a repeated command sequence,
# and line editing (Ctrl-C, backspace, Ctrl-U); one boot, one line per
# check.
session_add shell "$ISO" tests/guest/shell.sh -machine q35 -m 256M
