; Program entry. The kernel (for init) or init (for everything else) starts
; a task's first thread here with RDI = the kernel info page and RSI = the
; thread's UTCB, RSP 16-byte aligned; main(kip, utcb) takes them as they are.

bits 64
section .text
global _start
extern main
extern _exit

_start:
	xor ebp, ebp                    ; terminates backtraces
	call main
	mov edi, eax
	call _exit
.hang:
	jmp .hang
