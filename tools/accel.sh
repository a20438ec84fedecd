#!/bin/sh
# Prints the QEMU accelerator to use: kvm only when the host has real
# hardware virtualisation (the kvm_intel or kvm_amd module) and /dev/kvm is
# usable; tcg otherwise. A /dev/kvm without either module (a paravirtual
# software hypervisor such as kvm_pvm) breaks SYSCALL, so it does not count.
if { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; } &&
	[ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	echo kvm
else
	echo tcg
fi
