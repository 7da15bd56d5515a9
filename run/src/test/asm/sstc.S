# Sstc: S-mode's own timer (stimecmp), delegated to S, enabled by menvcfg.STCE and
# mcounteren.TM. QEMU 7.2's spike board gives no time CSR, so this one is checked against
# the specification (scause = supervisor timer interrupt) rather than against QEMU.
    .equ PRINT, 0x7e57
    .text
    .option norvc
    .globl main
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    # Sstc: S-mode's timer, delegated; enabled by menvcfg.STCE and mcounteren.TM
    li t0, 1 << 63
    csrs menvcfg, t0
    li t0, 2
    csrs mcounteren, t0
    li t0, 1 << 5
    csrs mideleg, t0
    la t0, s_trap
    csrw stvec, t0
    la a0, s_timer
    call enter_s
    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

enter_s:
    la t0, m_resume
    la t1, 1f
    sd t1, 0(t0)
    csrw mepc, a0
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0
    la t0, saved_ra
    sd ra, 0(t0)
    mret
1:  ld ra, saved_ra
    ret

s_timer:
    csrsi sstatus, 2
    li t0, 1 << 5
    csrs sie, t0
    rdtime t0
    li t1, 10000
    add t0, t0, t1
    csrw stimecmp, t0
    li t1, 0
1:  csrr t2, scause               # the handler moves stimecmp away; wait until it ran
    bltz t2, 2f
    addi t1, t1, 1
    j 1b
2:  li a7, PRINT
    csrr a0, scause
    ecall
    li a7, 0
    ecall

    .align 2
s_trap:
    li t6, -1
    csrw stimecmp, t6
    sret

    .data
    .align 3
saved_ra: .dword 0
