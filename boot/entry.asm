; Multiboot2 header and the 32-to-64-bit trampoline.
;
; GRUB enters boot_entry32 in 32-bit protected mode with paging off, EAX =
; the multiboot2 magic and EBX = the physical address of the boot information
; (on BIOS and, since we do not ask for EFI boot services, on UEFI too).
; This file builds just enough paging to reach long mode and the higher-half
; kernel; kernel/arch/x86_64/paging.c replaces these tables with the real ones.
;
; Everything here is linked at its physical address (section .boot*, see
; linker.ld) because it runs before paging. Only boot_enter64_high, reached
; through an absolute jump, runs at the kernel's virtual address.

%define MB2_MAGIC        0xE85250D6
%define MB2_ARCH_I386    0
%define KERNEL_VMA       0xFFFFFFFF80000000
%define PTE_P            1
%define PTE_W            2
%define PTE_PS           0x80
%define COM1             0x3F8

section .multiboot
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Framebuffer tag: ask for a linear 32-bit framebuffer. Flag bit 0 marks
	; it optional, so a firmware that cannot set the mode still boots us.
	align 8
	dw 5, 1
	dd 20
	dd 1024, 768, 32

	; Module alignment tag: modules start on page boundaries, so that they
	; can later be mapped into user space without copying.
	align 8
	dw 6, 0
	dd 8

	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite
bits 32
global boot_entry32
boot_entry32:
	cli
	cld
	mov esp, boot_stack_top
	mov [boot_magic], eax           ; kept for kmain: CPUID clobbers EAX..EDX
	mov [boot_info], ebx

	; Long mode needs CPUID leaf 0x80000001 and its LM bit. A CPU without it
	; gets a message on COM1 instead of a silent triple fault.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode

	; Three 2 MiB-page views of physical 0..4 GiB, all through boot_pd[0..3]:
	; identity (PML4[0], to survive the switch), the direct map
	; (PML4[256], 0xFFFF800000000000, where the multiboot information and the
	; first page-table frames are read), and the kernel image at -2 GiB
	; (PML4[511] -> PDPT[510] -> first GiB).
	mov edi, boot_pd
	mov eax, PTE_P | PTE_W | PTE_PS
	xor edx, edx
	mov ecx, 4 * 512
.fill_pd:
	mov [edi], eax
	mov [edi + 4], edx
	add eax, 0x200000
	adc edx, 0
	add edi, 8
	loop .fill_pd

	mov eax, boot_pd + (PTE_P | PTE_W)
	mov [boot_pdpt_low + 0 * 8], eax
	add eax, 0x1000
	mov [boot_pdpt_low + 1 * 8], eax
	add eax, 0x1000
	mov [boot_pdpt_low + 2 * 8], eax
	add eax, 0x1000
	mov [boot_pdpt_low + 3 * 8], eax
	mov dword [boot_pdpt_high + 510 * 8], boot_pd + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 0 * 8], boot_pdpt_low + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 256 * 8], boot_pdpt_low + (PTE_P | PTE_W)
	mov dword [boot_pml4 + 511 * 8], boot_pdpt_high + (PTE_P | PTE_W)

	mov eax, cr4
	or eax, 1 << 5                  ; CR4.PAE: required by long mode
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, 0xC0000080             ; IA32_EFER
	rdmsr
	or eax, 1 << 8                  ; EFER.LME: long mode enable
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | 1           ; CR0.PG | CR0.PE: activates long mode
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp 0x08:boot_enter64

.no_long_mode:
	mov esi, no_long_mode_msg
.putc:
	mov dx, COM1 + 5                ; line status: wait for THR empty
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	lodsb
	test al, al
	jz .halt
	mov dx, COM1
	out dx, al
	jmp .putc
.halt:
	hlt
	jmp .halt

bits 64
boot_enter64:
	xor eax, eax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov edi, [boot_magic]           ; kmain(magic, info): SysV RDI, RSI
	mov esi, [boot_info]
	mov rax, boot_enter64_high
	jmp rax

section .boot.data progbits alloc noexec write
align 8
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF           ; 64-bit ring-0 code
boot_gdt_ptr:
	dw boot_gdt_ptr - boot_gdt - 1
	dd boot_gdt
boot_magic:     dd 0
boot_info:      dd 0
no_long_mode_msg:
	db "mica: PANIC: this CPU has no 64-bit long mode", 13, 10, 0

section .boot.bss nobits alloc noexec write
alignb 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4 * 4096
boot_stack:     resb 4096
boot_stack_top:

section .bss
; The boot CPU's kernel stack, until threads bring their own.
global kstack_boot, kstack_boot_top
alignb 16
kstack_boot:    resb 16384
kstack_boot_top:

section .text
bits 64
extern kmain
boot_enter64_high:
	mov rsp, kstack_boot_top
	xor ebp, ebp                    ; terminates backtraces
	call kmain
.hang:
	cli
	hlt
	jmp .hang
