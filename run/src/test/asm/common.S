# Shared by the bare-metal tests of the spike board: console output and exit through HTIF,
# and an M-mode trap handler that prints what it caught and resumes.
#
# Trap handler contract: an ecall with a7 = PRINT prints a0 as hex (services for S- and
# U-mode code, which cannot reach HTIF); any other trap prints "trap CAUSE TVAL EPC" and
# resumes at m_resume in M-mode when a test has set it (then clears it), otherwise after
# the trapping instruction. Interrupts disable themselves in mie before returning.
# enter_s(a0) runs S-mode code, which comes back to M with an ecall (a7 = 0).
    .equ PRINT, 0x7e57

    .section .text.init
    .globl _start
_start:
    la sp, stack_top
    la t0, m_trap
    csrw mtvec, t0
    la t0, trap_save
    csrw mscratch, t0
    call main
    # main returns its exit status in a0
    slli a0, a0, 1
    ori a0, a0, 1
    la t0, tohost
    sd a0, 0(t0)
1:  j 1b

    .text
    .globl putchar
putchar:                       # a0 = character; clobbers t0, t1
    li t0, 0x0101000000000000
    or t0, t0, a0
    la t1, tohost
    sd t0, 0(t1)
    ret

    .globl puts
puts:                          # a0 = NUL-terminated string; clobbers a0, t0-t2
    mv t2, a0
    mv a1, ra
1:  lbu a0, 0(t2)
    beqz a0, 2f
    call putchar
    addi t2, t2, 1
    j 1b
2:  mv ra, a1
    ret

    .globl print_hex
print_hex:                     # a0 = value, printed as 16 hex digits and a space; clobbers a0-a2, t0-t3
    mv a2, a0
    mv t3, ra
    li a1, 60
1:  srl a0, a2, a1
    andi a0, a0, 15
    li t2, 10
    blt a0, t2, 2f
    addi a0, a0, 'a' - 10 - '0'
2:  addi a0, a0, '0'
    call putchar
    addi a1, a1, -4
    bgez a1, 1b
    li a0, ' '
    call putchar
    mv ra, t3
    ret

    .globl newline
newline:
    li a0, '\n'
    j putchar

    .globl enter_s
enter_s:                       # a0 = S-mode code; returns when it ends with an ecall
    la t0, m_resume
    la t1, 1f
    sd t1, 0(t0)
    csrw mepc, a0
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0
    sd ra, saved_ra, t0
    mret
1:  ld ra, saved_ra
    ret

    .align 2
    .globl m_trap
m_trap:
    csrrw t6, mscratch, t6
    sd ra, 0(t6)
    sd t0, 8(t6)
    sd t1, 16(t6)
    sd t2, 24(t6)
    sd t3, 32(t6)
    sd a0, 40(t6)
    sd a1, 48(t6)
    sd a2, 56(t6)
    csrr t0, mcause
    li t1, 8
    blt t0, t1, 3f
    li t1, 11
    bgt t0, t1, 3f
    li t1, PRINT
    bne a7, t1, 3f
    call print_hex             # a service: print a0
    call newline
    j 5f
3:  la a0, trap_text
    call puts
    csrr a0, mcause
    call print_hex
    csrr a0, mtval
    call print_hex
    csrr a0, mepc
    call print_hex
    call newline
    csrr t0, mcause
    bgez t0, 4f
    # an interrupt: mask it so that it does not come back at once
    li t1, 1
    sll t1, t1, t0
    csrc mie, t1
    j 6f
4:  la t1, m_resume
    ld t0, 0(t1)
    beqz t0, 5f
    sd zero, 0(t1)
    csrw mepc, t0
    li t0, 3 << 11
    csrs mstatus, t0
    j 6f
5:  csrr t0, mepc              # skip the trapping instruction (2 or 4 bytes)
    lhu t1, 0(t0)
    andi t1, t1, 3
    li t2, 3
    addi t0, t0, 2
    bne t1, t2, 7f
    addi t0, t0, 2
7:  csrw mepc, t0
6:  ld ra, 0(t6)
    ld t0, 8(t6)
    ld t1, 16(t6)
    ld t2, 24(t6)
    ld t3, 32(t6)
    ld a0, 40(t6)
    ld a1, 48(t6)
    ld a2, 56(t6)
    csrrw t6, mscratch, t6
    mret

    .data
trap_text: .asciz "trap "
    .align 3
    .globl m_resume
m_resume: .dword 0
saved_ra: .dword 0
trap_save: .zero 64
    .align 4
stack: .zero 4096
stack_top:

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
    .type tohost, @object
    .size tohost, 8
tohost: .dword 0
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost: .dword 0
