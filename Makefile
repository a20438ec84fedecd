# Mica: one non-recursive Makefile, building out of tree into build/.
#
#   make            kernel and ISO                make test    every test
#   make run        boot in QEMU                  make run-uefi  boot under OVMF
#   make gdb        QEMU halted, gdb stub :1234   make clean
#   make bench      in-guest benchmarks (docs/perf.md; ICOUNT=0, ACCEL=kvm)
#
# Knobs: CC=clang, ACCEL=tcg|kvm, NOGRAPHIC=1, MACHINE=pc|q35, MEM=512M, SMP=2.

MICA_VERSION := 0.1.0
.DEFAULT_GOAL := all
B ?= build

# IPC build switches: the fast path and lazy scheduling (1 on, 0 off).
FASTPATH ?= 1
LAZY ?= 1

ifeq ($(origin CC),default)
CC := gcc
endif
LD ?= ld
NASM ?= nasm
HOSTCC ?= $(CC)

# Install what is missing on a fresh Debian machine, once per make run
# (gdb too when the goal is `make gdb`).
DEPS_EXTRA := $(MICA_EXTRA_PKGS) $(if $(filter gdb,$(MAKECMDGOALS)),gdb)
DEPS_STAMP := $(shell MICA_EXTRA_PKGS='$(strip $(DEPS_EXTRA))' sh tools/deps.sh >&2 && echo ok)
ifneq ($(DEPS_STAMP),ok)
$(error tools/deps.sh could not install the build dependencies)
endif

GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

# ---------------------------------------------------------------- kernel
KINC := -Ikernel/include -Ikernel/arch/x86_64/include -Ikernel/platform/pc/include
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
KCFLAGS := -std=gnu11 -O2 -g $(WARN) $(KINC) \
	-ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mno-mmx -mno-sse -mno-sse2 -mno-80387 -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
	-DMICA_VERSION='"$(MICA_VERSION)"' -DMICA_GIT='"$(GIT_REV)"' \
	-DCONFIG_FASTPATH=$(FASTPATH) -DCONFIG_LAZY_SCHED=$(LAZY) \
	-MMD -MP
KLDFLAGS := -n -nostdlib -T linker.ld --build-id=sha1 -z max-page-size=0x1000 -z noexecstack

KSRC_C := $(filter-out kernel/arch/x86_64/asm-offsets.c, \
	$(wildcard kernel/core/*.c kernel/lib/*.c kernel/mm/*.c kernel/obj/*.c \
	kernel/arch/x86_64/*.c kernel/platform/pc/*.c))
KSRC_ASM := boot/entry.asm $(wildcard kernel/arch/x86_64/*.asm)
KOBJ := $(KSRC_C:%.c=$(B)/%.o) $(KSRC_ASM:%.asm=$(B)/%.o)
KERNEL := $(B)/kernel/mica.elf

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

# The kernel's assembly sees the IPC build switches and the structure
# offsets of asm-offsets.inc, generated from asm-offsets.c (which see).
ASM_OFFSETS := $(B)/kernel/arch/x86_64/asm-offsets.inc
KNASMFLAGS := -DCONFIG_FASTPATH=$(FASTPATH) -DCONFIG_LAZY_SCHED=$(LAZY) -I$(dir $(ASM_OFFSETS))

$(ASM_OFFSETS): kernel/arch/x86_64/asm-offsets.c
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -MF $(@:.inc=.d) -MT $@ -S -o $(@:.inc=.s) $<
	sed -n 's/.*->\([A-Z_0-9]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/%define \1 \2/p' $(@:.inc=.s) > $@

$(B)/kernel/arch/x86_64/%.o: kernel/arch/x86_64/%.asm $(ASM_OFFSETS)
	@mkdir -p $(@D)
	$(NASM) -f elf64 -g -I$(dir $<) $(KNASMFLAGS) -MD $(@:.o=.d) -MP -o $@ $<

$(B)/%.o: %.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -g -I$(dir $<) -MD $(@:.o=.d) -MP -o $@ $<

# The git revision is compiled into the banner: rebuild it when HEAD moves.
$(B)/kernel/core/version.o: $(B)/git-rev
$(B)/git-rev: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_REV)' | cmp -s - $@ || echo '$(GIT_REV)' > $@

$(KERNEL): $(KOBJ) linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ)

# ---------------------------------------------------------------- user space
# User code sees the kernel only through its ABI headers: $(B)/include holds
# a link to kernel/include/abi and nothing else.
UINC := -I$(B)/include -Ilibc/include
UCFLAGS := -std=gnu11 -O2 -g $(WARN) $(UINC) -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mno-mmx -mno-sse -mno-sse2 -mno-80387 -MMD -MP
ULDFLAGS := -nostdlib -static -T libc/user.ld -z max-page-size=0x1000 -z noexecstack

# libc is an archive, so that a program links only the parts it uses; the
# start-up code is linked explicitly because nothing refers to it.
LIBC_CRT0 := $(B)/user/libc/arch/x86_64/crt0.o
LIBC_OBJ := $(patsubst %.c,$(B)/user/%.o,$(wildcard libc/src/*.c)) \
	$(filter-out $(LIBC_CRT0),$(patsubst %.asm,$(B)/user/%.o,$(wildcard libc/arch/x86_64/*.asm)))
LIBC_A := $(B)/user/libc.a
PROGRAMS := init console sh
# Sources a program takes from elsewhere: the ELF parser is the kernel's.
init_EXTRA := kernel/lib/elf.c
sh_EXTRA := tests/bench/harness.c tests/bench/ops.c
PROGRAM_ELF := $(foreach p,$(PROGRAMS),$(B)/servers/$(p).elf)
ABI_ELF := $(B)/tests/abi.elf
BENCH_ELF := $(B)/tests/bench.elf
BADIO_ELF := $(B)/tests/badio.elf
PROTO_ELF := $(B)/tests/proto.elf
CRASHSRV_ELF := $(B)/tests/crashsrv.elf

$(B)/include/abi:
	@mkdir -p $(@D)
	ln -sfn $(CURDIR)/kernel/include/abi $@

$(B)/include/elf.h:
	@mkdir -p $(@D)
	ln -sfn $(CURDIR)/kernel/include/elf.h $@

$(B)/user/%.o: %.c | $(B)/include/abi $(B)/include/elf.h
	@mkdir -p $(@D)
	$(CC) $(UCFLAGS) -c $< -o $@

$(B)/user/%.o: %.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -g -MD $(@:.o=.d) -MP -o $@ $<

$(LIBC_A): $(LIBC_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# One static ELF per program: DIR/*.c plus libc.
define program_rule
$(1): $(LIBC_CRT0) $(patsubst %.c,$(B)/user/%.o,$(wildcard $(2)/*.c) $(3)) $(LIBC_A) libc/user.ld
	@mkdir -p $$(@D)
	$(LD) $(ULDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBC_A)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(B)/servers/$(p).elf,servers/$(p),$($(p)_EXTRA))))
$(eval $(call program_rule,$(ABI_ELF),tests/abi))
$(eval $(call program_rule,$(BENCH_ELF),tests/bench))
$(eval $(call program_rule,$(BADIO_ELF),tests/badio))
$(eval $(call program_rule,$(PROTO_ELF),tests/proto))
$(eval $(call program_rule,$(CRASHSRV_ELF),tests/crashsrv))

# ---------------------------------------------------------------- images
ISO := $(B)/mica.iso
TEST_ISO := $(B)/test.iso

$(ISO): $(KERNEL) $(PROGRAM_ELF) boot/grub.cfg boot/manifest
	@rm -rf $(B)/iso && mkdir -p $(B)/iso/boot/grub
	cp $(KERNEL) $(B)/iso/boot/mica.elf
	cp $(PROGRAM_ELF) boot/manifest $(B)/iso/boot/
	cp boot/grub.cfg $(B)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(B)/iso 2>$(B)/grub-mkrescue.log || { cat $(B)/grub-mkrescue.log; exit 1; }

# The test image: the same kernel, test modules, and a command line that
# the harness extends through QEMU's SMBIOS serial number (tests/guest/).
$(TEST_ISO): $(KERNEL) $(PROGRAM_ELF) $(BADIO_ELF) $(PROTO_ELF) $(CRASHSRV_ELF) tests/guest/grub.cfg tests/guest/manifest
	@rm -rf $(B)/test-iso && mkdir -p $(B)/test-iso/boot/grub
	cp $(KERNEL) $(B)/test-iso/boot/mica.elf
	cp $(PROGRAM_ELF) $(BADIO_ELF) $(PROTO_ELF) $(CRASHSRV_ELF) tests/guest/manifest $(B)/test-iso/boot/
	cp tests/guest/grub.cfg $(B)/test-iso/boot/grub/grub.cfg
	head -c 5000 /dev/zero > $(B)/test-iso/boot/testmod-a
	head -c 12345 /dev/zero > $(B)/test-iso/boot/testmod-b
	grub-mkrescue -o $@ $(B)/test-iso 2>$(B)/grub-mkrescue.log || { cat $(B)/grub-mkrescue.log; exit 1; }

# The kernel ABI suite as the root task (tests/abi/).
ABI_ISO := $(B)/abi.iso
$(ABI_ISO): $(KERNEL) $(ABI_ELF) tests/abi/grub.cfg
	@rm -rf $(B)/abi-iso && mkdir -p $(B)/abi-iso/boot/grub
	cp $(KERNEL) $(B)/abi-iso/boot/mica.elf
	cp $(ABI_ELF) $(B)/abi-iso/boot/abi.elf
	cp tests/abi/grub.cfg $(B)/abi-iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(B)/abi-iso 2>$(B)/grub-mkrescue.log || { cat $(B)/grub-mkrescue.log; exit 1; }

# The benchmarks as the root task (tests/bench/, make bench).
BENCH_ISO := $(B)/bench.iso
$(BENCH_ISO): $(KERNEL) $(BENCH_ELF) tests/bench/grub.cfg
	@rm -rf $(B)/bench-iso && mkdir -p $(B)/bench-iso/boot/grub
	cp $(KERNEL) $(B)/bench-iso/boot/mica.elf
	cp $(BENCH_ELF) $(B)/bench-iso/boot/bench.elf
	cp tests/bench/grub.cfg $(B)/bench-iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(B)/bench-iso 2>$(B)/grub-mkrescue.log || { cat $(B)/grub-mkrescue.log; exit 1; }

# ---------------------------------------------------------------- QEMU
# KVM only where the host has real hardware virtualisation: our own
# machines expose a /dev/kvm (kvm_pvm) under which SYSCALL misbehaves.
ACCEL ?= $(shell sh tools/accel.sh)
ifeq ($(ACCEL),kvm)
QEMU_ACCEL := -accel kvm -cpu host
else
QEMU_ACCEL := -accel tcg -cpu max
endif
MACHINE ?= q35
MEM ?= 512M
SMP ?= 2
OVMF ?= /usr/share/ovmf/OVMF.fd
QEMU := qemu-system-x86_64 -machine $(MACHINE) -m $(MEM) -smp $(SMP) $(QEMU_ACCEL) -no-reboot
ifeq ($(NOGRAPHIC),1)
QEMU_DISPLAY := -nographic
else ifeq ($(DISPLAY)$(WAYLAND_DISPLAY),)
QEMU_DISPLAY := -nographic
else
QEMU_DISPLAY := -serial mon:stdio
endif

# ---------------------------------------------------------------- targets
.PHONY: all iso clang-iso slow-abi-iso run run-uefi gdb test bench unit-test clean FORCE
all: iso
iso: $(ISO)

clang-iso:
	@$(MAKE) --no-print-directory CC=clang B=$(B)/clang $(B)/clang/mica.iso

# The ABI suite on a kernel without the IPC fast path and lazy scheduling:
# the tests cover both paths.
slow-abi-iso:
	@$(MAKE) --no-print-directory FASTPATH=0 LAZY=0 B=$(B)/slow $(B)/slow/abi.iso

run: $(ISO)
	$(QEMU) $(QEMU_DISPLAY) -cdrom $(ISO)

run-uefi: $(ISO)
	$(QEMU) $(QEMU_DISPLAY) -bios $(OVMF) -cdrom $(ISO)

gdb: $(ISO)
	@echo "QEMU is halted; in another terminal: gdb -x tools/gdbinit"
	$(QEMU) -nographic -s -S -cdrom $(ISO)

# The suite also boots a clang-built kernel: both compilers must stay clean.
test: $(ISO) $(TEST_ISO) $(ABI_ISO) $(BENCH_ISO) clang-iso slow-abi-iso
	@CC='$(HOSTCC)' ACCEL='$(ACCEL)' OVMF='$(OVMF)' bash tests/run.sh

# In-guest microbenchmarks (tools/bench.sh, docs/perf.md): TCG with
# -icount by default, whatever tools/accel.sh says, so that the figures
# are instruction counts; ACCEL=kvm on the command line for cycles,
# ICOUNT=0 for TCG without -icount (cycles, noisy).
#
# One image per kernel configuration of the IPC build switches, each
# built in a directory of its own (objects do not know the switches):
# fast path and lazy scheduling on ($(B)), fast path off ($(B)/nofastpath),
# lazy scheduling off ($(B)/nolazy), both off ($(B)/slow, as slow-abi-iso).
# `make bench` runs all four, one section each; FASTPATH=0 and/or LAZY=0
# on the command line run that one configuration only.
ICOUNT ?= 1
bench_dir = $(if $(filter 11,$(1)),$(B),$(if $(filter 01,$(1)),$(B)/nofastpath,$(if $(filter 10,$(1)),$(B)/nolazy,$(B)/slow)))
bench_label = fastpath=$(if $(filter 1%,$(1)),1,0),lazy=$(if $(filter %1,$(1)),1,0)
BENCH_CONFIGS := $(if $(filter command line,$(origin FASTPATH) $(origin LAZY)),$(FASTPATH)$(LAZY),11 01 10 00)
bench:
	@$(foreach c,$(BENCH_CONFIGS),$(MAKE) --no-print-directory FASTPATH=$(if $(filter 1%,$(c)),1,0) \
		LAZY=$(if $(filter %1,$(c)),1,0) B=$(call bench_dir,$(c)) $(call bench_dir,$(c))/bench.iso >/dev/null &&) true
	@ACCEL='$(if $(filter command line environment,$(origin ACCEL)),$(ACCEL),tcg)' \
		ICOUNT='$(ICOUNT)' B='$(B)' bash tools/bench.sh \
		$(foreach c,$(BENCH_CONFIGS),$(call bench_label,$(c))=$(call bench_dir,$(c))/bench.iso)

unit-test:
	@CC='$(HOSTCC)' bash tests/run.sh unit

clean:
	rm -rf $(B)

-include $(KOBJ:.o=.d) $(ASM_OFFSETS:.inc=.d) $(wildcard $(B)/user/*/*.d $(B)/user/*/*/*.d $(B)/user/*/*/*/*.d)
