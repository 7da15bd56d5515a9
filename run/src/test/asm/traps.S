# M-mode traps and the WARL behaviour of machine CSRs.
    .equ PRINT, 0x7e57
    .text
    .globl main
main:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s1, 8(sp)
    sd s2, 16(sp)
    # exceptions: illegal instruction, ebreak, ecall, load and store access faults, misaligned AMO,
    # an unknown CSR, a write to a read-only CSR
    .word 0
    ebreak
    li a7, 0
    ecall
    li t0, 0x10
    ld t1, 0(t0)
    sd t1, 0(t0)
    csrr t1, 0x7c0
    csrw mhartid, t1
    c.ebreak
    # readbacks after writing all ones (print_hex clobbers t registers: s1 holds the ones).
    # misa without H, which QEMU 7.2's default CPU has and this one does not.
    csrr a0, misa
    li t0, ~(1 << 7)
    and a0, a0, t0
    call print_hex
    li s1, -1
    csrw mtvec, s1
    csrr a0, mtvec
    call print_hex
    la t0, m_trap
    csrw mtvec, t0
    # interrupt bits without the hypervisor's and Sscofpmf's, which QEMU 7.2's default CPU has
    csrw mie, s1
    csrr a0, mie
    li t0, 0xaaa
    and a0, a0, t0
    call print_hex
    csrw mie, zero
    csrw mideleg, s1
    csrr a0, mideleg
    andi a0, a0, 0x3ff
    andi a0, a0, ~0x444
    call print_hex
    csrw mideleg, zero
    csrw mcounteren, s1
    csrr a0, mcounteren
    slli a0, a0, 32
    srli a0, a0, 32
    call print_hex
    csrw satp, s1                 # an unsupported mode: ignored
    csrr a0, satp
    call print_hex
    call newline
    # mstatus: FS and SD; the read-only XLEN fields
    li t0, 1 << 11
    csrw mstatus, t0
    csrr a0, mstatus
    call print_hex
    li t0, 3 << 13
    csrs mstatus, t0
    csrr a0, mstatus
    call print_hex
    fcvt.d.w f1, zero
    csrr a0, fcsr
    call print_hex
    li t0, 3 << 13
    csrc mstatus, t0
    fcvt.d.w f1, zero             # FP off: illegal
    csrr a0, fflags               # likewise
    call newline
    # counters move
    rdinstret s2
    nop
    rdinstret t1
    sltu a0, s2, t1
    call print_hex
    csrr a0, mhartid
    call print_hex
    call newline
    li a0, 0
    ld ra, 0(sp)
    ld s1, 8(sp)
    ld s2, 16(sp)
    addi sp, sp, 32
    ret
    .data
    .align 3
word: .dword 0x1122334455667788
