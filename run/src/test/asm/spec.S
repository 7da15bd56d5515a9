# What QEMU 7.2 cannot be the oracle for, checked against the specification instead:
# - an AMO that faults reports a store/AMO fault (QEMU 7.2 reports a load fault);
# - Sstc: S-mode's own timer (stimecmp), delegated to S, enabled by menvcfg.STCE and
#   mcounteren.TM (QEMU 7.2's spike board has no time CSR): scause = supervisor timer.
    .equ PRINT, 0x7e57
    .text
    .option norvc
    .globl main
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    li t0, 0x10                  # nothing there
    amoadd.w a0, zero, (t0)      # store/AMO access fault (7), tval 0x10
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
