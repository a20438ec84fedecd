; Entry stubs for all 256 vectors and the common save/restore path.
;
; Each stub makes the stack look the same: an error code (the CPU's, or 0
; for vectors without one) and the vector number, then trap_common pushes
; the general registers to complete a struct trap_frame (arch/trap.h).

%include "frame.inc"

bits 64
section .text

extern trap_dispatch
extern trap_dispatch_paranoid
extern return_to_user
extern cpu_smap_enabled

%macro STUB 1
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push qword %1                   ; the CPU pushed an error code
%else
	push qword 0
	push qword %1
%endif
%if %1 == 2 || %1 == 8 || %1 == 18
	jmp trap_paranoid               ; NMI, #DF, #MC: on their IST stacks
%else
	jmp trap_common
%endif
%endmacro

%assign v 0
%rep 256
	align 16
	STUB v
%assign v v + 1
%endrep

; From user mode the CPU has pushed the frame at TSS.RSP0, which is the
; end of the current thread's saved registers (percpu.h), so the whole
; trap_frame lands in the thread control block. The handler then runs on
; the per-CPU kernel stack and leaves through return_to_user, which may
; resume another thread. From kernel mode (the idle loop, a kernel bug)
; the frame is on the kernel stack and iretq resumes the kernel.
trap_common:
	CLAC_IF_SMAP
	test byte [rsp + 3 * 8], 3      ; CS, above vector and error
	jz .from_kernel
	swapgs
	PUSH_GPRS
	cld
	mov rdi, rsp
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	call trap_dispatch
	jmp return_to_user
.from_kernel:
	PUSH_GPRS
	cld
	mov rdi, rsp
	call trap_dispatch
	POP_GPRS
	add rsp, 16                     ; vector and error code
	iretq

; NMI, #DF and #MC arrive on IST stacks even from ring 3 (SDM 6.14.5), so
; their frame is never the thread's, and #DF's saved CS is undefined. They
; are handled in place: save on the IST stack, decide SWAPGS by the GS base
; itself (the kernel's is a kernel address, negative), and return by IRETQ
; (which also ends NMI blocking).
%define MSR_GS_BASE 0xC0000101
trap_paranoid:
	CLAC_IF_SMAP
	PUSH_GPRS
	cld
	xor ebx, ebx                    ; callee-saved: 1 if we swapped
	mov ecx, MSR_GS_BASE
	rdmsr
	test edx, edx
	js .kernel_gs
	swapgs
	mov ebx, 1
.kernel_gs:
	mov rdi, rsp
	call trap_dispatch_paranoid
	test ebx, ebx
	jz .no_swap
	swapgs
.no_swap:
	POP_GPRS
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
