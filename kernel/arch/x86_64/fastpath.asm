; The IPC fast path: call and reply_wait without typed items when the partner
; already waits, the common case of every client-server exchange, straight
; from the SYSCALL entry (syscall_entry.asm jumps here by the number). It
; does what the slow path (core/ipc.c) would do in that case, in one line,
; and leaves for the full entry, every register as SYSCALL left it, at the
; first check that fails. CONFIG_FASTPATH=0 builds without it, so that the
; tests cover both paths and the benchmark shows what it buys.
;
; Preconditions, checked in this order (the same as before, in C):
;   call:       words <= 64, no typed items, no flags or reserved tag bits;
;               RDI an endpoint capability with the write right; the first
;               thread in its queue a receiver; that receiver at least as
;               important as the caller (running it next is what the
;               scheduler would choose) and blocked by SYSCALL (so SYSRET
;               may resume it; a frame written by SYS_THREAD_WRITE_REGS or
;               an exception needs IRETQ); with more than 8 words, both
;               UTCBs cached (below).
;   reply_wait: the same tag rule; a caller to answer, with a message
;               (not a fault report), at least as important as we are and
;               blocked by SYSCALL; the UTCB rule; RDI an endpoint
;               capability with the read right and no sender queued on it;
;               no pending bits of a bound notification.
;   reply_wait answering a page fault (a pager's every answer): a tag
;               of one typed item and no words (its low 16 bits), the item
;               a map of pages; a caller whose report is a page fault, at
;               least as important as we are (it resumes from its
;               exception frame, by return_to_user: no SYSCALL rule); the
;               receive rules above. The map is C's (fastpath_fault_answer:
;               item_transfer's case, whose failure only means the page is
;               still missing, so it comes after the point of no return).
;   a page fault (fastpath_fault, called by core/ipc.c, which checked
;               and did the bookkeeping): the report, three words from the
;               faulter's fault_msg, goes to the pager as a call's message.
;
; The message stays in the registers: the words the sender put in RDX,
; R8-R10 and R12-R15 are the receiver's, those beyond the count are
; zeroed. Words 8-63 go from the sender's UTCB to the receiver's with one
; string move through the kernel's direct map, at the addresses the slow
; path cached in each thread (thread.utcb_kva, valid while its task has
; lost no translation since: thread.utcb_gen). So the copy walks no page
; table, needs no SMAP lift and cannot fault: a translation that went
; since makes the message take the slow path, which looks the UTCBs up
; again and has every rule for a missing one (E_FAULT). As in C, the
; receiver's UTCB words beyond the count are left as they were.
;
; The thread that blocks saves only what a thread blocked in IPC keeps
; (RIP, RFLAGS, RSP, RBX, RBP: everything else is the answer's) and is
; marked VEC_IPC_FAST; arch/trap.h says who fills in the rest, and when.
; The partner is resumed from its frame's RIP, RFLAGS, RSP, RBX and RBP.
;
; Who resumes a faulter: its frame is always a full one (an exception's),
; and fp_switch returns to it through return_to_user when RSI's low byte,
; where a message's word count is, says FP_RESUME_FRAME (one past the
; longest message).
;
; The kernel objects are those of the C code, at the offsets of
; asm-offsets.inc. The rare cases (a longer queue, eager scheduling, FPU
; state to switch, a task with I/O ports, a thread to put back in the
; ready queue) call the C functions that handle them.

%include "frame.inc"
%include "asm-offsets.inc"

%if CONFIG_FASTPATH
bits 64
section .text

extern syscall_full
extern fpu_live
extern fpu_switch_to
extern arch_ioport_load
extern sched_enqueue
extern sched_dequeue
extern endpoint_enqueue
extern tss_io
extern tss_bitmap_owner
extern tss_bitmap_generation
extern fastpath_fault_answer
extern return_to_user
global fastpath_call
global fastpath_reply_wait
global fastpath_fault

; fp_switch's word count (RSI's low byte) for "resume the frame instead":
; one past the longest message, the last entry of fp_zero_from.
%define FP_RESUME_FRAME (IPC_MAX_WORDS + 1)

; Saves what a thread blocked in IPC keeps in the current thread's frame,
; whose end RSP points at, and leaves the thread in RBX. Harmless when the
; fast path does not apply: the full path saves the same values again.
%macro FP_SAVE 0
	mov [rsp + R_(F_RIP)], rcx
	mov [rsp + R_(F_RFLAGS)], r11
	mov rcx, [gs:PERCPU_USER_RSP]
	mov [rsp + R_(F_RSP)], rcx
	mov [rsp + R_(F_RBX)], rbx
	mov [rsp + R_(F_RBP)], rbp
	lea rbx, [rsp - FRAME_SIZE]     ; the frame starts the thread
%endmacro

; Not for the fast path: the registers SYSCALL left, then the full path.
%macro FP_SLOW 1
	mov rcx, [rsp + R_(F_RIP)]
	mov r11, [rsp + R_(F_RFLAGS)]
	mov rbx, [rsp + R_(F_RBX)]
	mov rbp, [rsp + R_(F_RBP)]
	mov eax, %1
	jmp syscall_full
%endmacro

; The tag in RSI: no items, flags or reserved bits, i.e. its low 16 bits
; are a word count of at most 8; else to %1, which goes on to FP_LONG_TAG.
; Leaves the count in EAX. (Two labels so that register-only messages pay
; nothing for the UTCB rule.)
%macro FP_CHECK_TAG 1
	movzx eax, si
	cmp eax, IPC_REG_WORDS
	ja %1
%endmacro

; To %2 unless thread %1 has its UTCB cached (thread.utcb_kva) and its
; task lost no translation since (thread.utcb_gen). Clobbers R11.
%macro FP_UTCB_CURRENT 2
	mov r11, [%1 + T_TASK]
	mov r11, [r11 + TASK_VS_GENERATION]
	cmp r11, [%1 + T_UTCB_GEN]
	jne %2
%endmacro

; Where FP_CHECK_TAG sent a longer message: a word count of at most 64
; (so SIL is the count; more, or items, flags or reserved bits, go to %1),
; and the UTCB of thread RBX (the sender) cached and current.
%macro FP_LONG_TAG 1
	cmp eax, IPC_MAX_WORDS
	ja %1
	FP_UTCB_CURRENT rbx, %1
%endmacro

; RCX := capability RDI of thread RBX if it is an endpoint with right %1;
; else to %2. Clobbers RAX.
%macro FP_ENDPOINT_CAP 2
	mov rax, [rbx + T_TASK]
	mov ecx, [rax + TASK_NSLOTS]
	cmp rdi, rcx
	jae %2
	imul rcx, rdi, CAP_SIZE
	add rcx, [rax + TASK_SLOTS]
	cmp byte [rcx + CAP_TYPE], CAP_ENDPOINT
	jne %2
	test byte [rcx + CAP_RIGHTS], %1
	jz %2
%endmacro

; Calls the C function %1(%2[, %3]) after the point of no return, on the
; kernel stack: the message words, RDI and RSI survive, RAX, RCX and R11
; do not (RBX and RBP are preserved by C).
%macro FP_CCALL 2-3
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	push rdi
	push rsi
	push rdx
	push r8
	push r9
	push r10
	mov rdi, %2
%if %0 == 3
	mov rsi, %3
%endif
	call %1
	pop r10
	pop r9
	pop r8
	pop rdx
	pop rsi
	pop rdi
%endmacro

; RAX := the endpoint of capability RDI of thread RBX, if we may receive
; on it (the read right), no sender waits there to be taken and no bits of
; a bound notification wait for us; else to %1. Clobbers RCX.
%macro FP_RECV_CHECK 1
	FP_ENDPOINT_CAP RIGHT_READ, %1
	mov rax, [rcx + CAP_OBJ]
	mov rcx, [rax + EP_HEAD]
	test rcx, rcx
	jz %%no_sender
	cmp dword [rcx + T_STATE], THREAD_SEND
	je %1                           ; receivers: we queue behind them
%%no_sender:
	mov rcx, [rbx + T_BOUND_NTFN]
	test rcx, rcx
	jz %%checked
	cmp qword [rcx + NTFN_BITS], 0
	jne %1
%%checked:
%endmacro

; After the point of no return of reply_wait: thread RBX answers its
; newest caller RBP and waits on endpoint RAX; RBP is made ready; then to
; %1. RDI becomes 0, the badge of a reply.
%macro FP_ANSWER_AND_WAIT 1
	; caller_remove(client): the newest caller, first on our list.
	mov rcx, [rbp + T_REPLY_NEXT]
	mov [rbx + T_CALLER], rcx
	xor ecx, ecx
	mov [rbp + T_REPLY_FROM], rcx
	mov [rbp + T_REPLY_NEXT], rcx
	mov cl, [rbx + T_SLICE_LEFT]    ; what is left of its time
	mov [rbp + T_SLICE_LEFT], cl
	; endpoint_enqueue(ep, us): into an empty queue here (a thread in no
	; queue has NULL links already), behind other receivers in C.
	cmp qword [rax + EP_HEAD], 0
	jne %%enqueue_c
	mov [rax + EP_HEAD], rbx
	mov [rax + EP_TAIL], rbx
	mov [rbx + T_IPC_EP], rax
%%enqueued:
	mov dword [rbx + T_STATE], THREAD_RECV
	mov qword [rbx + F_VECTOR], VEC_IPC_FAST
%if !CONFIG_LAZY_SCHED
	FP_CCALL sched_dequeue, rbx
%endif
	; sched_make_ready(client); a reply carries no badge.
	mov dword [rbp + T_STATE], THREAD_RUNNABLE
	xor edi, edi
	cmp qword [rbp + T_RQ_NEXT], 0
	jne %1
	FP_CCALL sched_enqueue, rbp
	jmp %1
%%enqueue_c:
	FP_CCALL endpoint_enqueue, rax, rbx
	jmp %%enqueued
%endmacro

; SYS_CALL(endpoint, tag, words)
fastpath_call:
	FP_SAVE
	FP_CHECK_TAG .long
.tag_ok:
	FP_ENDPOINT_CAP RIGHT_WRITE, .slow
	; Its first waiter is a receiver...
	mov rax, [rcx + CAP_OBJ]
	mov rbp, [rax + EP_HEAD]
	test rbp, rbp
	jz .slow
	cmp dword [rbp + T_STATE], THREAD_RECV
	jne .slow
	; ...that the scheduler would run now anyway...
	mov r11b, [rbx + T_PRIORITY]
	cmp [rbp + T_PRIORITY], r11b
	jb .slow
	; ...and that SYSRET may resume.
	cmp qword [rbp + F_VECTOR], VEC_SYSCALL
	jb .slow

	; POINT OF NO RETURN
	mov rdi, [rcx + CAP_BADGE]
	; endpoint_dequeue(ep, receiver), the head: its ipc_prev is NULL.
	mov rcx, [rbp + T_IPC_NEXT]
	mov [rax + EP_HEAD], rcx
	test rcx, rcx
	jnz .more_receivers
	mov [rax + EP_TAIL], rcx
.dequeued:                              ; RCX = 0
	mov [rbp + T_IPC_EP], rcx
	; caller_push(receiver, us): we are its newest caller, on our time.
	mov [rbx + T_REPLY_FROM], rbp
	mov rax, [rbp + T_CALLER]
	mov [rbx + T_REPLY_NEXT], rax
	mov [rbp + T_CALLER], rbx
	mov al, [rbx + T_SLICE_LEFT]
	mov [rbp + T_SLICE_LEFT], al
	; We wait for the reply.
	mov dword [rbx + T_STATE], THREAD_REPLY
	mov qword [rbx + F_VECTOR], VEC_IPC_FAST
%if !CONFIG_LAZY_SCHED
	FP_CCALL sched_dequeue, rbx
%endif
	; sched_make_ready(receiver): back in the ready queue if it left it.
	mov dword [rbp + T_STATE], THREAD_RUNNABLE
	cmp qword [rbp + T_RQ_NEXT], 0
	jne fp_switch
	FP_CCALL sched_enqueue, rbp
	jmp fp_switch
.more_receivers:
	xor eax, eax
	mov [rcx + T_IPC_PREV], rax
	mov [rbp + T_IPC_NEXT], rax
	xor ecx, ecx
	jmp .dequeued
.long:
	; UTCB words: both UTCBs cached. The receiver is the one the checks
	; above will find (or they fail): the first thread in the queue.
	FP_LONG_TAG .slow
	FP_ENDPOINT_CAP RIGHT_WRITE, .slow
	mov rax, [rcx + CAP_OBJ]
	mov rbp, [rax + EP_HEAD]
	test rbp, rbp
	jz .slow
	FP_UTCB_CURRENT rbp, .slow
	jmp .tag_ok
.slow:
	FP_SLOW SYS_CALL

; SYS_REPLY_WAIT(endpoint, tag, words)
fastpath_reply_wait:
	FP_SAVE
	FP_CHECK_TAG .long
.tag_ok:
	; A caller to answer, with a message rather than a fault report...
	mov rbp, [rbx + T_CALLER]
	test rbp, rbp
	jz .slow
	cmp qword [rbp + T_FAULT_TAG], 0
	jne .slow
	; ...who should run next, and whom SYSRET may resume.
	mov r11b, [rbx + T_PRIORITY]
	cmp [rbp + T_PRIORITY], r11b
	jb .slow
	cmp qword [rbp + F_VECTOR], VEC_SYSCALL
	jb .slow
	FP_RECV_CHECK .slow

	; POINT OF NO RETURN
	FP_ANSWER_AND_WAIT fp_switch
.long:
	; UTCB words: ours and our caller's UTCB cached.
	FP_LONG_TAG .fault_answer
	mov rbp, [rbx + T_CALLER]
	test rbp, rbp
	jz .slow
	FP_UTCB_CURRENT rbp, .slow
	jmp .tag_ok
.fault_answer:
	; The answer to a page-fault report with one map item (RDX, R8) and
	; no words, a pager's every answer...
	cmp eax, IPC_TAG_ONE_ITEM
	jne .slow
	mov rbp, [rbx + T_CALLER]
	test rbp, rbp
	jz .slow
	cmp qword [rbp + T_FAULT_TAG], IPC_FAULT_TAG_PAGE
	jne .slow
	mov eax, edx
	and eax, 0xF                    ; the item's kind
	cmp eax, IPC_ITEM_MAP_PAGES
	jne .slow
	; ...to a faulter who should run next (return_to_user resumes it
	; from its exception frame), and the receive checks as above.
	mov r11b, [rbx + T_PRIORITY]
	cmp [rbp + T_PRIORITY], r11b
	jb .slow
	FP_RECV_CHECK .slow

	; POINT OF NO RETURN
	; The map, in C: fastpath_fault_answer(us, client, item). Its result
	; does not matter: a page still missing faults again.
	mov rsp, [gs:PERCPU_KSTACK_TOP]
	push rax                        ; the endpoint (twice: the call's
	push rax                        ; stack stays 16-byte aligned)
	mov rdi, rbx
	mov rsi, rbp
	mov rcx, r8
	call fastpath_fault_answer
	pop rax
	pop rax
	FP_ANSWER_AND_WAIT .to_faulter
.to_faulter:
	mov esi, FP_RESUME_FRAME        ; not a message: see fp_zero_from
	jmp fp_switch
.slow:
	FP_SLOW SYS_REPLY_WAIT

; fastpath_fault(self, rcv, badge) (arch/fastpath.h): core/ipc.c did the
; checks and the bookkeeping of a page-fault report to a waiting pager;
; the report goes as a 3-word message from the faulter's fault_msg.
fastpath_fault:
	mov rbx, rdi
	mov rbp, rsi
	mov rdi, rdx                    ; the badge
	mov rsi, [rbx + T_FAULT_TAG]
	mov rdx, [rbx + T_FAULT_MSG]
	mov r8, [rbx + T_FAULT_MSG + 8]
	mov r9, [rbx + T_FAULT_MSG + 16]
	jmp fp_switch

; Switches from thread RBX, which just blocked, to thread RBP, made ready,
; and enters user mode in it with the message: RDI the badge, RSI the tag,
; words 0..count-1 where the sender left them, the rest zero, RAX E_OK.
; What thread_run and return_to_user do for a full frame, for this case.
fp_switch:
	mov [gs:PERCPU_CURRENT], rbp
	lea rax, [rbp + FRAME_SIZE]
	mov [gs:PERCPU_REGS_TOP], rax
	mov [TSS_RSP0], rax             ; where its interrupts save its registers
	; FPU (fpu_switch_to): nothing to do while the registers hold the
	; initial state (fpu_live NULL) and it has never used them.
	mov rax, [fpu_live]
	test rax, rax
	jnz fp_fpu_live
	cmp byte [rbp + T_FPU_USED], 0
	jne fp_fpu_switch
fp_fpu_done:
	; Another task: its I/O ports and its address space.
	mov rax, [rbp + T_TASK]
	cmp rax, [rbx + T_TASK]
	je fp_words
	cmp qword [rax + TASK_IO_BITMAP], 0
	jne fp_ioports
	mov word [TSS_IOMAP_BASE], IOMAP_NONE   ; no ports: all denied
fp_ioports_done:
	; vspace_activate: with a PCID (never 0 where the CPU has PCID), keep
	; its TLB entries unless they may be stale; without, flush.
	mov rcx, [rax + TASK_PML4]
	movzx r11d, word [rax + TASK_PCID]
	test r11d, r11d
	jnz fp_pcid
fp_load_cr3:
	mov cr3, rcx
fp_words:
	movzx eax, sil                  ; the word count (FP_CHECK_TAG)
	jmp [fp_zero_from + rax * 8]    ; beyond 8: fp_utcb_copy
fp_zero_0:
	xor edx, edx
fp_zero_1:
	xor r8d, r8d
fp_zero_2:
	xor r9d, r9d
fp_zero_3:
	xor r10d, r10d
fp_zero_4:
	xor r12d, r12d
fp_zero_5:
	xor r13d, r13d
fp_zero_6:
	xor r14d, r14d
fp_zero_7:
	xor r15d, r15d
fp_zero_8:
	; Its frame's RIP comes from SYSCALL (fastpath_call checks): SYSRET
	; cannot fault in ring 0 (see return_to_user).
	mov rcx, [rbp + F_RIP]
	mov r11, [rbp + F_RFLAGS]
	mov rsp, [rbp + F_RSP]
	mov rbx, [rbp + F_RBX]
	mov rbp, [rbp + F_RBP]
	xor eax, eax                    ; E_OK
	swapgs
	o64 sysret

; Words 8 to count-1 (RAX), UTCB to UTCB (FP_CHECK_UTCBS found both).
; SYSCALL cleared DF: the move goes upwards.
fp_utcb_copy:
	mov r11, rsi                    ; the tag
	lea ecx, [rax - IPC_REG_WORDS]
	mov rax, rdi                    ; the badge
	mov rsi, [rbx + T_UTCB_KVA]
	mov rdi, [rbp + T_UTCB_KVA]
	add rsi, UTCB_MR + IPC_REG_WORDS * 8
	add rdi, UTCB_MR + IPC_REG_WORDS * 8
	rep movsq
	mov rdi, rax
	mov rsi, r11
	jmp fp_zero_8

fp_fpu_live:
	cmp rax, rbp
	je fp_fpu_done                  ; its state is in the registers
fp_fpu_switch:
	FP_CCALL fpu_switch_to, rbp
	jmp fp_fpu_done
fp_ioports:
	; arch_ioport_load: its bitmap, unless the TSS holds it already.
	cmp rax, [tss_bitmap_owner]
	jne fp_ioports_c
	mov rcx, [rax + TASK_IO_GENERATION]
	cmp rcx, [tss_bitmap_generation]
	jne fp_ioports_c
	mov word [TSS_IOMAP_BASE], IOMAP_OWN
	jmp fp_ioports_done
fp_ioports_c:
	FP_CCALL arch_ioport_load, rax
	mov rax, [rbp + T_TASK]
	jmp fp_ioports_done
fp_pcid:
	or rcx, r11
	cmp byte [rax + TASK_STALE], 0
	jne fp_flush
	bts rcx, 63                     ; CR3 bit 63: keep this PCID's entries
fp_flush:
	mov byte [rax + TASK_STALE], 0
	jmp fp_load_cr3

; Not a message: RBP is a faulter whose report was answered, resumed
; from its full frame (IRETQ, an exception's).
fp_resume_frame:
	jmp return_to_user

section .rodata
align 8
fp_zero_from:                           ; by word count: the first word to zero
	dq fp_zero_0, fp_zero_1, fp_zero_2, fp_zero_3, fp_zero_4
	dq fp_zero_5, fp_zero_6, fp_zero_7, fp_zero_8
	times IPC_MAX_WORDS - IPC_REG_WORDS dq fp_utcb_copy
	dq fp_resume_frame                      ; FP_RESUME_FRAME
%endif
