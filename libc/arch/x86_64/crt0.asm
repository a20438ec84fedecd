; Program entry. The kernel (for the root task) or init (for everything
; else) starts a task's first thread here with RDI = the start-up page
; (the root task: the kernel info page) and RSI = the thread's UTCB, RSP
; 16-byte aligned; libc_start (libc/src/start.c) takes them as they are.

bits 64
section .text
global _start
extern libc_start

_start:
	xor ebp, ebp                    ; terminates backtraces
	call libc_start
.hang:                                  ; libc_start does not return
	ud2
	jmp .hang
