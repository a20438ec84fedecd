; SYSCALL entry and the one way back to user mode.
;
; There is one kernel stack per CPU (docs/kernel.md says why). A thread's
; user registers live in its thread control block as a struct trap_frame;
; PERCPU_REGS_TOP is the end of the current thread's frame. A system call
; enters one of three ways, chosen by its number through syscall_entries:
;
;   the IPC fast path (fastpath.asm) for call and reply_wait;
;   the light path for the calls syscall.h names light: it saves the
;     arguments, RIP and RFLAGS, runs the handler and returns with SYSRET,
;     leaving the other registers in the CPU (the C code preserves them);
;   the full path for the rest: the whole frame, built with pushes exactly
;     as an interrupt from user mode builds it, and syscall_dispatch.
;
; return_to_user resumes whichever thread is current by then, by SYSRET
; when its frame came from SYSCALL and IRETQ otherwise.

%include "frame.inc"
%include "asm-offsets.inc"

bits 64
section .text

extern syscall_dispatch
extern syscall_exit_work
extern syscall_table
extern preempt_pending
extern cpu_smap_enabled
extern fastpath_call
extern fastpath_reply_wait
global syscall_entry
global syscall_full
global return_to_user
global uaccess_copy
global uaccess_copy_insn
global uaccess_copy_fixup

; On entry: RCX = user RIP, R11 = user RFLAGS, RSP = user RSP, interrupts
; off (SFMASK), CS/SS = kernel (STAR).
syscall_entry:
	swapgs
	mov [gs:PERCPU_USER_RSP], rsp
	mov rsp, [gs:PERCPU_REGS_TOP]
	cmp rax, SYS_NSYSCALLS
	jae syscall_full                ; syscall_dispatch answers E_NOSYS
	jmp [syscall_entries + rax * 8]

; The light path. RSP is the end of the current thread's frame.
syscall_light:
	mov [rsp + R_(F_RIP)], rcx
	mov [rsp + R_(F_RFLAGS)], r11
	mov [rsp + R_(F_RDI)], rdi
	mov [rsp + R_(F_RSI)], rsi
	mov [rsp + R_(F_RDX)], rdx
	mov [rsp + R_(F_R10)], r10
	mov [rsp + R_(F_R8)], r8
	mov [rsp + R_(F_R9)], r9
	lea rdi, [rsp - FRAME_SIZE]
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	call [syscall_table + rax * 8]  ; light calls all have a handler
	mov rsp, [gs:PERCPU_REGS_TOP]
	cmp byte [preempt_pending], 0
	jne .work
	mov eax, eax                    ; the handler's int: no stray upper half
	mov rdi, [rsp + R_(F_RDI)]
	mov rsi, [rsp + R_(F_RSI)]
	mov rdx, [rsp + R_(F_RDX)]
	mov r10, [rsp + R_(F_R10)]
	mov r8, [rsp + R_(F_R8)]
	mov r9, [rsp + R_(F_R9)]
	mov rcx, [rsp + R_(F_RIP)]      ; SYSRET safety: see return_to_user
	mov r11, [rsp + R_(F_RFLAGS)]
	mov rsp, [gs:PERCPU_USER_RSP]   ; still ours: no other thread ran
	swapgs
	o64 sysret
	; Work due at exit, which may switch threads: first the rest of the
	; frame, from the registers the handler preserved, so that the frame
	; is a full SYSCALL frame. (CS and SS always hold the user selectors.)
.work:
	mov eax, eax
	mov [rsp + R_(F_RAX)], rax
	mov [rsp + R_(F_RBX)], rbx
	mov [rsp + R_(F_RBP)], rbp
	mov [rsp + R_(F_R12)], r12
	mov [rsp + R_(F_R13)], r13
	mov [rsp + R_(F_R14)], r14
	mov [rsp + R_(F_R15)], r15
	mov rax, [gs:PERCPU_USER_RSP]
	mov [rsp + R_(F_RSP)], rax
	mov rax, [rsp + R_(F_RIP)]
	mov [rsp + R_(F_RCX)], rax
	mov rax, [rsp + R_(F_RFLAGS)]
	mov [rsp + R_(F_R11)], rax
	mov qword [rsp + R_(F_ERROR)], 0
	mov qword [rsp + R_(F_VECTOR)], VEC_SYSCALL
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	call syscall_exit_work
	jmp return_to_user

; The full path; also where the fast path goes when it does not apply,
; with every register as SYSCALL left it and RSP the end of the frame.
syscall_full:
	push qword SEL_UDATA            ; ss
	push qword [gs:PERCPU_USER_RSP] ; rsp
	push r11                        ; rflags
	push qword SEL_UCODE            ; cs
	push rcx                        ; rip
	push qword 0                    ; error
	push qword VEC_SYSCALL          ; vector: came in by SYSCALL
	PUSH_GPRS
	mov rdi, rsp
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	call syscall_dispatch
	; fall through

; Resumes the current thread from its saved frame. Interrupts are off.
return_to_user:
	mov rsp, [gs:PERCPU_REGS_TOP]
	sub rsp, FRAME_SIZE
	POP_GPRS
	cmp qword [rsp], VEC_SYSCALL
	jne .iret
	; SYSRET: RIP from RCX and RFLAGS from R11, which SYSCALL took from the
	; thread anyway. A SYSCALL frame's RIP is the address after a SYSCALL
	; instruction in user memory, hence below USER_END (the top pages are
	; the KIP: read-only, non-executable with NX, and zero at its end);
	; every RIP the kernel writes leaves by IRETQ. So SYSRET cannot fault
	; in ring 0 with the user's stack (Intel's SYSRET erratum).
	mov rcx, [rsp + 2 * 8]          ; rip
	mov r11, [rsp + 4 * 8]          ; rflags
	mov rsp, [rsp + 5 * 8]          ; rsp
	swapgs
	o64 sysret
.iret:
	add rsp, 16                     ; vector and error code
	swapgs
	iretq

; How each system call enters, by number (syscall.h names the light ones;
; SYS_CALL and SYS_REPLY_WAIT try the fast path unless it is built out).
section .rodata
align 8
syscall_entries:
%assign n 0
%rep SYS_NSYSCALLS
%if CONFIG_FASTPATH && n == SYS_CALL
	dq fastpath_call
%elif CONFIG_FASTPATH && n == SYS_REPLY_WAIT
	dq fastpath_reply_wait
%elif (SYSCALL_LIGHT_MASK >> n) & 1
	dq syscall_light
%else
	dq syscall_full
%endif
%assign n n + 1
%endrep

section .text
; uaccess_copy(dst, src, len): copies len bytes between kernel and user
; memory that the caller has range-checked. Returns 0, or E_FAULT (3) when
; a page is missing or protected: the page-fault handler sends a fault at
; uaccess_copy_insn to uaccess_copy_fixup. SMAP is lifted only around
; the copy itself.
uaccess_copy:
	mov rcx, rdx
	cmp byte [cpu_smap_enabled], 0
	je uaccess_copy_insn
	stac
uaccess_copy_insn:
	rep movsb
	xor eax, eax
uaccess_copy_done:
	cmp byte [cpu_smap_enabled], 0
	je .ret
	clac
.ret:
	ret
uaccess_copy_fixup:
	mov eax, E_FAULT
	jmp uaccess_copy_done
