/*
 * IPC messages (docs/abi.md, "IPC"): a tag and up to 64 words. The first
 * IPC_REG_WORDS words travel in registers; the rest in the UTCB, copied
 * once from the sender's to the receiver's.
 *
 * Registers of SYS_CALL, SYS_SEND, SYS_REPLY, SYS_REPLY_WAIT (sending) and
 * of every receive:
 *   RDI  in: endpoint capability (call, send, recv, reply_wait)
 *        out: badge of the capability the sender used
 *   RSI  the tag
 *   RDX, R8, R9, R10, R12, R13, R14, R15: message words 0..7
 *   RAX  out: error code
 * RBX and RBP are preserved; RCX and R11 are destroyed (SYSCALL).
 */
#ifndef ABI_IPC_H
#define ABI_IPC_H

#include <stdint.h>

#define IPC_REG_WORDS  8
#define IPC_MAX_WORDS  64

/* Tag: bits 0-6 words, 7-12 typed items, 13 non-blocking, 16-63 label. */
#define IPC_TAG(label, words, items, flags) \
	((uint64_t)(label) << 16 | (uint64_t)(flags) | (uint64_t)(items) << 7 | (uint64_t)(words))
#define IPC_TAG_WORDS(tag)  ((unsigned)((tag) & 0x7F))
#define IPC_TAG_ITEMS(tag)  ((unsigned)(((tag) >> 7) & 0x3F))
#define IPC_TAG_LABEL(tag)  ((tag) >> 16)
#define IPC_NONBLOCK        (1u << 13)  /* zero timeout: E_WOULDBLOCK if the partner is not ready */
#define IPC_TAG_FLAGS_MASK  IPC_NONBLOCK
/* Received tag only: not a message but the bound notification's bits, in RDI. */
#define IPC_TAG_NOTIFY      (1u << 15)

/*
 * Kernel protocols: what the kernel sends on a thread's behalf when it
 * faults (labels at the top of the label space, never sent by threads).
 *
 * Page fault, to the thread's pager: label IPC_LABEL_PAGE_FAULT, words
 * 0 fault address, 1 instruction pointer, 2 access (IPC_FAULT_* bits).
 * Any reply resumes the thread, which retries the access: the pager maps
 * the page first (SYS_MAP into the thread's task).
 *
 * Other exceptions, to the thread's exception handler: label
 * IPC_LABEL_EXCEPTION, words 0-17 the registers (struct mica_regs order),
 * 18 the vector, 19 the error code (words 8 and up in the handler's UTCB).
 * A reply with label IPC_LABEL_RESUME and 18 words resumes the thread with
 * those registers (checked as SYS_THREAD_WRITE_REGS checks them); any other
 * reply leaves it stopped.
 */
#define IPC_LABEL_PAGE_FAULT  0xFFFFFFFFFFFFull
#define IPC_LABEL_EXCEPTION   0xFFFFFFFFFFFEull
#define IPC_LABEL_RESUME      1u
#define IPC_FAULT_WRITE       1u
#define IPC_FAULT_EXEC        2u
#define IPC_FAULT_PRESENT     4u        /* a protection fault, not a missing page */
#define IPC_EXCEPTION_WORDS   20

/*
 * Typed items follow a message's untyped words, two words each; the tag
 * counts them. They need the write and grant rights on the endpoint (any
 * reply may carry them). Memory: a flexpage of the sender's, mapped (or
 * granted) into the receiver's receive window at the offset in the second
 * word; in the answer to a page fault, at the address in the second word
 * of the faulting task. Capability: a slot of the sender's, copied with
 * the rights given (or moved) into the receiver's receive slot. An item
 * the receiver cannot take is dropped: the received tag counts those
 * that arrived.
 */
#define IPC_ITEM_MAP_PAGES    1u
#define IPC_ITEM_GRANT_PAGES  2u
#define IPC_ITEM_MAP_CAP      3u
#define IPC_ITEM_GRANT_CAP    4u
#define IPC_ITEM_PAGES(kind, base, size_log2, perms) \
	((uint64_t)(base) | (uint64_t)((size_log2) - 12) << 7 | (uint64_t)(perms) << 4 | (kind))
#define IPC_ITEM_CAP(kind, slot, rights) \
	((uint64_t)(slot) << 16 | (uint64_t)(rights) << 4 | (kind))

/* The user thread control block: one page per thread (SYS_THREAD_CONFIG_IPC). */
struct utcb {
	uint64_t mr[IPC_MAX_WORDS];     /* words IPC_REG_WORDS.. of a message */
	uint64_t recv_window;           /* base | size_log2: where mapped pages may land; 0: none */
	uint64_t recv_slot;             /* slot + 1 where a capability may land; 0: none */
	uint64_t reserved[446];
};
_Static_assert(sizeof(struct utcb) == 4096, "a UTCB is a page");

#endif
