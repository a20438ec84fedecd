/*
 * IPC stubs (abi/ipc.h, docs/abi.md "IPC"): a message's tag and first
 * eight words travel in registers, further words in the caller's UTCB
 * (utcb->mr[8..63]). Each stub sends m and, where the operation receives,
 * overwrites m with what arrived: tag, words, and the sender's badge.
 */
#ifndef MICA_IPC_H
#define MICA_IPC_H

#include <stdint.h>
#include <abi/ipc.h>
#include <abi/syscall.h>

struct ipc_msg {
	uint64_t tag;
	uint64_t w[IPC_REG_WORDS];
	uint64_t badge;         /* out: the badge of the capability the sender used */
};

/* The one IPC system call: nr is SYS_CALL, SYS_REPLY_WAIT, SYS_SEND,
 * SYS_RECV or SYS_REPLY; cap the endpoint (ignored by SYS_REPLY). */
static inline long ipc_syscall(uint64_t nr, uint64_t cap, struct ipc_msg *m)
{
	register uint64_t r8 __asm__("r8") = m->w[1];
	register uint64_t r9 __asm__("r9") = m->w[2];
	register uint64_t r10 __asm__("r10") = m->w[3];
	register uint64_t r12 __asm__("r12") = m->w[4];
	register uint64_t r13 __asm__("r13") = m->w[5];
	register uint64_t r14 __asm__("r14") = m->w[6];
	register uint64_t r15 __asm__("r15") = m->w[7];
	uint64_t rax = nr, rdi = cap, rsi = m->tag, rdx = m->w[0];

	__asm__ volatile("syscall"
			 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r8), "+r"(r9),
			   "+r"(r10), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			 :
			 : "rcx", "r11", "memory");
	if (nr != SYS_SEND && nr != SYS_REPLY) {
		m->badge = rdi;
		m->tag = rsi;
		m->w[0] = rdx;
		m->w[1] = r8;
		m->w[2] = r9;
		m->w[3] = r10;
		m->w[4] = r12;
		m->w[5] = r13;
		m->w[6] = r14;
		m->w[7] = r15;
	}
	return (long)rax;
}

static inline long ipc_call(uint64_t ep, struct ipc_msg *m) { return ipc_syscall(SYS_CALL, ep, m); }
static inline long ipc_send(uint64_t ep, struct ipc_msg *m) { return ipc_syscall(SYS_SEND, ep, m); }
static inline long ipc_recv(uint64_t ep, struct ipc_msg *m) { return ipc_syscall(SYS_RECV, ep, m); }
static inline long ipc_reply(struct ipc_msg *m) { return ipc_syscall(SYS_REPLY, 0, m); }
static inline long ipc_reply_wait(uint64_t ep, struct ipc_msg *m)
{
	return ipc_syscall(SYS_REPLY_WAIT, ep, m);
}

static inline long ipc_abort(uint64_t thread)
{
	uint64_t rax = SYS_IPC_ABORT;

	__asm__ volatile("syscall" : "+a"(rax), "+D"(thread) : : "rcx", "r11", "rsi", "rdx", "memory");
	return (long)rax;
}

/* Notifications: signal ORs the capability's badge (1 without one); wait
 * blocks until bits are pending and takes them; poll takes them or 0. */
static inline long ntfn_op(uint64_t nr, uint64_t cap, uint64_t *bits)
{
	uint64_t rax = nr;

	__asm__ volatile("syscall" : "+a"(rax), "+D"(cap) : : "rcx", "r11", "memory");
	if (bits)
		*bits = cap;
	return (long)rax;
}

static inline long ntfn_signal(uint64_t cap) { return ntfn_op(SYS_SIGNAL, cap, 0); }
static inline long ntfn_wait(uint64_t cap, uint64_t *bits) { return ntfn_op(SYS_WAIT, cap, bits); }
static inline long ntfn_poll(uint64_t cap, uint64_t *bits) { return ntfn_op(SYS_POLL, cap, bits); }

/* Binds notification (CAP_NONE: unbinds) to thread: its receives then also
 * end when the notification is signalled (tag IPC_TAG_NOTIFY, bits in badge). */
static inline long ntfn_bind(uint64_t thread, uint64_t ntfn)
{
	uint64_t rax = SYS_NOTIFICATION_BIND;

	__asm__ volatile("syscall" : "+a"(rax), "+D"(thread), "+S"(ntfn) : : "rcx", "r11", "memory");
	return (long)rax;
}

#endif
