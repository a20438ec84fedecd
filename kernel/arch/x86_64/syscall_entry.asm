; SYSCALL entry and the one way back to user mode.
;
; There is one kernel stack per CPU (docs/kernel.md says why). A thread's
; user registers live in its thread control block as a struct trap_frame;
; PERCPU_REGS_TOP is the end of the current thread's frame. SYSCALL entry
; builds the frame there with pushes, exactly as an interrupt from user mode
; does, then switches to the kernel stack. return_to_user resumes whichever
; thread is current by then, by SYSRET when it entered by SYSCALL and IRETQ
; otherwise.

%include "frame.inc"

bits 64
section .text

extern syscall_dispatch
extern cpu_smap_enabled
global syscall_entry
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
