/*
 * The console server: the 16550 UART at 0x3F8, driven by its interrupt
 * (IRQ 4) through a notification, never by polling. Every program's
 * output goes through it (mica/proto/console.h), and init's log through
 * a ring init shares with it. Input is a line discipline: echo,
 * backspace, Ctrl-U (erase the line), Ctrl-C (cancel the line and the
 * read waiting for it).
 *
 * A line is never interleaved: while one client's partial line is on
 * the wire, other clients' text waits in their own buffers until it is
 * finished (or the owner starts reading: a prompt).
 */
#include <stdio.h>
#include <string.h>
#include <abi/cap.h>
#include <abi/errno.h>
#include <mica/console.h>
#include <mica/init.h>
#include <mica/ipc.h>
#include <mica/portio.h>
#include <mica/proto/console.h>
#include <mica/server.h>
#include <mica/start.h>
#include <mica/syscall.h>

#define COM1      0x3F8
#define UART_GSI  4
#define REG_DATA  0
#define REG_IER   1
#define REG_IIR   2
#define REG_FCR   2
#define REG_MCR   4
#define REG_LSR   5
#define IER_RX    0x01
#define IER_TX    0x02
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define IIR_NONE  0x01
#define FIFO_SIZE 16
#define IRQ_BIT   1u

#define OUT_SIZE     16384
#define RX_SIZE      1024
#define LINE_MAX     CONSOLE_TEXT_MAX
#define HELD_MAX     2048
#define CLIENTS_MAX  8

/* The "client" of the console's own text and init's log: init badges
 * every program's capability with its task number, never 0. */
#define SELF 0

#define SLOT_ENDPOINT (SLOT_FREE + 0)
#define SLOT_IRQ_NTFN (SLOT_FREE + 1)
#define SLOT_OWN_NTFN (SLOT_FREE + 2)

static uint64_t irq_slot, ntfn_slot;
static uint8_t ier;

static char out[OUT_SIZE];      /* to the UART */
static size_t out_head, out_len;
static char rx[RX_SIZE];        /* from the UART, not yet edited */
static size_t rx_head, rx_len;
static uint64_t rx_lost;        /* typed while rx was full, not yet reported */

static char line[LINE_MAX];     /* the line being edited */
static size_t line_len;
static int reader_waiting;      /* a CONSOLE_READ is deferred */
static uint64_t reader_max, reader_badge;

static const struct console_log *log_ring;
static uint64_t log_tail;

static uint64_t owner;          /* badge + 1 of the client whose line is unfinished; 0: none */
static struct held {
	uint64_t badge;         /* + 1; 0: free */
	size_t len;
	char text[HELD_MAX];
} held[CLIENTS_MAX];

/* ------------------------------------------------------------ output */

static size_t out_space(void)
{
	return OUT_SIZE - out_len;
}

/* Fills the transmitter from the ring; the THR-empty interrupt brings
 * the next round, and is off while there is nothing to send. */
static void out_kick(void)
{
	uint8_t want;

	if (inb(COM1 + REG_LSR) & LSR_THRE) {
		for (unsigned i = 0; i < FIFO_SIZE && out_len; i++) {
			outb(COM1 + REG_DATA, (uint8_t)out[out_head]);
			out_head = (out_head + 1) % OUT_SIZE;
			out_len--;
		}
	}
	want = out_len ? (ier | IER_TX) : (ier & ~IER_TX);
	if (want != ier) {
		ier = want;
		outb(COM1 + REG_IER, ier);
	}
}

static void out_byte(char ch)
{
	if (out_len == OUT_SIZE)
		return;         /* callers make room first; echo may be lost */
	out[(out_head + out_len) % OUT_SIZE] = ch;
	out_len++;
}

/* Text onto the wire's ring, '\n' as CR LF. */
static void out_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			out_byte('\r');
		out_byte(s[i]);
	}
	out_kick();
}

/* ------------------------------------------------------------ lines */

static struct held *held_for(uint64_t badge)
{
	struct held *free_one = NULL;

	for (unsigned i = 0; i < CLIENTS_MAX; i++) {
		if (held[i].badge == badge + 1)
			return &held[i];
		if (!held[i].badge && !free_one)
			free_one = &held[i];
	}
	if (free_one) {
		free_one->badge = badge + 1;
		free_one->len = 0;
	}
	return free_one;
}

/* Emits text of client badge, which owns the wire or finds it free. */
static void emit(uint64_t badge, const char *s, size_t n)
{
	if (!n)
		return;
	out_text(s, n);
	owner = s[n - 1] == '\n' ? 0 : badge + 1;
}

/* While the wire is free, lets held clients' text out, whole lines first. */
static void release_held(void)
{
	for (unsigned i = 0; i < CLIENTS_MAX && !owner; i++) {
		struct held *h = &held[i];

		if (!h->badge || !h->len)
			continue;
		emit(h->badge - 1, h->text, h->len);
		h->len = 0;
		h->badge = 0;
	}
}

/* Client badge's text: out now, or held while another's line is open. */
static void client_text(uint64_t badge, const char *s, size_t n)
{
	struct held *h;

	if (!owner || owner == badge + 1) {
		emit(badge, s, n);
		release_held();
		return;
	}
	h = held_for(badge);
	if (!h || h->len + n > HELD_MAX) {
		/* Nowhere to hold it: breaking a line beats losing text. */
		out_text("\n", 1);
		owner = 0;
		release_held();
		emit(badge, s, n);
		return;
	}
	memcpy(h->text + h->len, s, n);
	h->len += n;
}

/* ------------------------------------------------------------ input */

static void echo(const char *s)
{
	out_text(s, strlen(s));
}

/* Answers the deferred reader: the line, or E_ABORTED. */
static void answer_reader(long status)
{
	struct utcb *u = utcb_self();
	uint64_t w[IPC_MAX_WORDS] = { 0 };
	struct ipc_msg m;
	size_t n = line_len < reader_max ? line_len : reader_max;
	unsigned words = 0;

	if (status == E_OK) {
		w[0] = n;
		memcpy(&w[1], line, n);
		words = 1 + (unsigned)((n + 7) / 8);
	}
	for (unsigned i = 0; i < IPC_REG_WORDS; i++)
		m.w[i] = w[i];
	for (unsigned i = IPC_REG_WORDS; i < words; i++)
		u->mr[i] = w[i];
	server_words(&m, words, 0);
	server_reply(&m, status);
	reader_waiting = 0;
	line_len = 0;
}

/* One typed character through the line discipline; a reader waits. */
static void edit(char ch)
{
	switch (ch) {
	case '\r':
	case '\n':
		echo("\n");
		line[line_len++] = '\n';
		answer_reader(E_OK);
		return;
	case 0x7F:
	case '\b':
		if (line_len) {
			line_len--;
			echo("\b \b");
		}
		return;
	case 0x15:      /* Ctrl-U */
		for (; line_len; line_len--)
			echo("\b \b");
		return;
	case 0x03:      /* Ctrl-C */
		echo("^C\n");
		answer_reader(E_ABORTED);
		return;
	}
	if ((unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7F && line_len + 1 < reader_max) {
		line[line_len++] = ch;
		out_text(&ch, 1);
	}
}

/* Edits typed characters while a reader waits for a line. Typed-ahead
 * text waits unechoed until the next read, so that its echo lands after
 * the reader's output (at its prompt), not in the middle of it. */
static void input_process(void)
{
	while (rx_len && reader_waiting) {
		char ch = rx[rx_head];

		rx_head = (rx_head + 1) % RX_SIZE;
		rx_len--;
		edit(ch);
	}
}

/* ------------------------------------------------------------ events */

/* The line is edge-triggered and masked from the interrupt to the ack:
 * acknowledging first, then serving the UART until it says nothing is
 * pending (IIR), means its interrupt output goes low before we wait, so
 * every later condition makes a new edge. */
static void uart_interrupt(void)
{
	sys_irq_ack(irq_slot);
	for (unsigned round = 0; round < 16; round++) {
		while (inb(COM1 + REG_LSR) & LSR_DR) {
			char ch = (char)inb(COM1 + REG_DATA);

			if (rx_len < RX_SIZE)
				rx[(rx_head + rx_len++) % RX_SIZE] = ch;
			else
				rx_lost++;
		}
		out_kick();
		if (inb(COM1 + REG_IIR) & IIR_NONE)
			break;
	}
	if (rx_lost) {
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "console: input overrun, %llu characters lost\n",
				 (unsigned long long)rx_lost);

		client_text(SELF, msg, (size_t)n);
		rx_lost = 0;
	}
}

static void log_drain(void)
{
	uint64_t head = __atomic_load_n(&log_ring->head, __ATOMIC_ACQUIRE);

	if (head - log_tail > CONSOLE_LOG_SIZE) {
		log_tail = head - CONSOLE_LOG_SIZE;
		client_text(SELF, "console: init's log overran; text lost\n", 39);
	}
	while (log_tail != head && out_space() > 2 * FIFO_SIZE) {
		char buf[256];
		size_t n = 0;

		while (log_tail != head && n < sizeof(buf))
			buf[n++] = log_ring->ring[log_tail++ % CONSOLE_LOG_SIZE];
		client_text(SELF, buf, n);
	}
}

static int writing;             /* a write waits for room: its caller is the newest */

static void notified(uint64_t bits)
{
	if (bits & IRQ_BIT)
		uart_interrupt();
	/* Answering the reader now would answer the waiting writer instead
	 * (a reply goes to the newest caller): lines wait until it is done. */
	if (!writing)
		input_process();
	if ((bits & CONSOLE_LOG_BIT) && log_ring)
		log_drain();
}

/* Waits for the UART to make room for n bytes (and their CRs). */
static void out_wait_room(size_t n)
{
	uint64_t bits;

	writing = 1;
	while (out_space() < 2 * n) {
		if (ntfn_wait(ntfn_slot, &bits) != E_OK)
			break;
		notified(bits);
	}
	writing = 0;
	/* Input that came meanwhile: edited once this write is answered. */
	if (rx_len && reader_waiting)
		ntfn_signal(SLOT_IRQ_NTFN);
}

/* ------------------------------------------------------------ requests */

static long do_write(const struct ipc_msg *req, struct ipc_msg *ans)
{
	const struct utcb *u = utcb_self();
	uint64_t w[IPC_MAX_WORDS];
	unsigned words = IPC_TAG_WORDS(req->tag);
	uint64_t n = req->w[0];

	if (n > CONSOLE_TEXT_MAX || words < 1 + (n + 7) / 8)
		return E_INVAL;
	for (unsigned i = 0; i < words; i++)
		w[i] = i < IPC_REG_WORDS ? req->w[i] : u->mr[i];
	out_wait_room(n);
	client_text(req->badge, (const char *)&w[1], n);
	ans->w[0] = n;
	server_words(ans, 1, 0);
	return E_OK;
}

static long do_read(const struct ipc_msg *req, struct ipc_msg *ans)
{
	(void)ans;
	/* One reader at a time. A client blocked in its call cannot call
	 * again, so a read from the reader's own badge means the earlier one
	 * died (and the kernel dropped it): the new one takes its place. */
	if (req->w[0] == 0)
		return E_INVAL;
	if (reader_waiting && req->badge != reader_badge)
		return E_STATE;
	if (owner == req->badge + 1) {  /* a prompt: the line is the typist's now */
		owner = 0;
		release_held();
	} else if (owner) {
		/* Another client left a line open: end it rather than let it
		 * hold the wire (and this reader's prompt) for ever. */
		out_text("\n", 1);
		owner = 0;
		release_held();
	}
	reader_waiting = 1;
	reader_badge = req->badge;
	reader_max = req->w[0] < CONSOLE_TEXT_MAX ? req->w[0] : CONSOLE_TEXT_MAX;
	input_process();
	return SERVER_DEFER;
}

/* ------------------------------------------------------------ start */

static void uart_init(void)
{
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_FCR, 0x07);     /* FIFOs on and cleared */
	outb(COM1 + REG_MCR, 0x0B);     /* DTR, RTS, OUT2: OUT2 gates the IRQ on PCs */
	(void)inb(COM1 + REG_LSR);
	while (inb(COM1 + REG_LSR) & LSR_DR)
		(void)inb(COM1 + REG_DATA);
	ier = IER_RX;
	outb(COM1 + REG_IER, ier);
}

static long console_init(void)
{
	const struct start_cap *io = start_cap_find(START_CAP_IOPORT, COM1);
	const struct start_cap *irq = start_cap_find(START_CAP_IRQ, UART_GSI);
	const struct start_cap *log = NULL;
	long err;

	for (uint32_t i = 0; start_info && i < start_info->ncaps; i++)
		if (start_info->caps[i].kind == START_CAP_LOG)
			log = &start_info->caps[i];
	if (!irq)
		return E_CAP_EMPTY;
	irq_slot = irq->slot;
	(void)io;       /* without it, the first port access faults: init reports it */
	if (log) {
		ntfn_slot = log->slot;
		log_ring = (const struct console_log *)log->va;
		log_tail = 0;
	} else {
		ntfn_slot = SLOT_OWN_NTFN;
		if ((err = sys_notification_create(SLOT_SELF_TASK, ntfn_slot)) != E_OK)
			return err;
	}
	uart_init();
	if ((err = sys_cap_mint(ntfn_slot, SLOT_SELF_TASK, SLOT_IRQ_NTFN, RIGHT_WRITE, IRQ_BIT)) != E_OK ||
	    (err = ntfn_bind(SLOT_SELF_THREAD, ntfn_slot)) != E_OK ||
	    (err = sys_irq_bind(irq_slot, SLOT_IRQ_NTFN)) != E_OK)
		return err;
	if (log_ring)
		log_drain();
	return E_OK;
}

/* The console's own stdio (its start-up errors) goes straight to the wire. */
long console_write(const char *buf, size_t len)
{
	client_text(SELF, buf, len);
	return (long)len;
}

long console_read(char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -E_NOSYS;
}

static const struct server_op ops[CONSOLE_NLABELS] = {
	[CONSOLE_WRITE] = { do_write, 1 },
	[CONSOLE_READ] = { do_read, 1 },
};

static const struct server console = {
	.name = "console",
	.endpoint = SLOT_ENDPOINT,
	.ops = ops,
	.nops = CONSOLE_NLABELS,
	.init_fresh = console_init,
	.notified = notified,
};

int main(void)
{
	server_run(&console);
}
