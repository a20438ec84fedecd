/*
 * A minimal host unit-test framework. Each tests/unit/test_*.c is one
 * program: TEST(name) defines a test, CHECK(cond) fails it and returns.
 * The program prints "PASS suite.name" or "FAIL suite.name: where: what"
 * per test (tests/run.sh counts these) and exits non-zero on any failure.
 * Include system headers before the kernel's.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

#ifndef UNIT_SUITE
#error "define UNIT_SUITE before including unit.h"
#endif

#define UNIT_MAX 256

/* xorshift64: the tests' reproducible random numbers, from *state (not 0). */
static inline unsigned long long unit_rng(unsigned long long *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static struct unit_test unit_tests[UNIT_MAX];
static int unit_ntests;
static int unit_failed_now;

/* The parameter is not called "name": it would replace the member too. */
#define TEST(test)                                                          \
	static void test(void);                                             \
	__attribute__((constructor)) static void unit_reg_##test(void)      \
	{                                                                   \
		unit_tests[unit_ntests].name = #test;                       \
		unit_tests[unit_ntests++].fn = test;                        \
	}                                                                   \
	static void test(void)

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			printf("FAIL %s.%s: %s:%d: %s\n", UNIT_SUITE,       \
			       unit_current, __FILE__, __LINE__, #cond);    \
			unit_failed_now = 1;                                \
			return;                                             \
		}                                                           \
	} while (0)

static const char *unit_current;

int main(void)
{
	int failed = 0;

	/* A sanitizer report ends the program without flushing stdio; the
	 * lines before it must still reach the log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < unit_ntests; i++) {
		unit_current = unit_tests[i].name;
		unit_failed_now = 0;
		unit_tests[i].fn();
		if (unit_failed_now)
			failed++;
		else
			printf("PASS %s.%s\n", UNIT_SUITE, unit_current);
	}
	return failed != 0;
}

#endif
