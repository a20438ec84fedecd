/* Deliberate kernel faults, for the tests that check the fault reporting. */
#ifndef ARCH_SELFTEST_H
#define ARCH_SELFTEST_H

/*
 * Raises the exception named by kind: "pf" (page fault), "gp" (general
 * protection), "ud" (invalid opcode) or "de" (divide error). Returns only
 * if kind names none of them.
 */
void selftest_fault(const char *kind);

#endif
