; Entry stubs for all 256 vectors and the common save/restore path.
;
; Each stub makes the stack look the same: an error code (the CPU's, or 0
; for vectors without one) and the vector number, then trap_common pushes
; the general registers to complete a struct trap_frame (arch/trap.h).

bits 64
section .text

extern trap_dispatch

%macro STUB 1
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push qword %1                   ; the CPU pushed an error code
%else
	push qword 0
	push qword %1
%endif
	jmp trap_common
%endmacro

%assign v 0
%rep 256
	align 16
	STUB v
%assign v v + 1
%endrep

trap_common:
	; Entering from user mode: switch GS to the kernel's per-CPU base.
	test byte [rsp + 3 * 8], 3      ; CS, above vector and error
	jz .from_kernel
	swapgs
.from_kernel:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	test byte [rsp + 3 * 8], 3
	jz .to_kernel
	swapgs
.to_kernel:
	add rsp, 16                     ; vector and error code
	iretq

section .rodata
global trap_stubs
align 8
trap_stubs:
%assign v 0
%rep 256
	dq trap_stub_ %+ v
%assign v v + 1
%endrep
