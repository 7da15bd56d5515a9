# Interrupts and PMP. The CLINT's timer and software interrupts in M-mode (direct and
# vectored mtvec, WFI), and PMP entries (TOR, NA4, NAPOT, a locked one that binds M-mode) checked from S-mode.
    .equ PRINT, 0x7e57
    .equ CLINT, 0x2000000
    .equ MTIMECMP, CLINT + 0x4000
    .equ MTIME, CLINT + 0xbff8
    .text
    .option norvc
    .globl main
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    # machine timer, direct mode: due soon; WFI waits for it
    li t0, MTIME
    ld t1, 0(t0)
    li t2, 100000                # 10 ms: long after the WFI, however slow the start
    add t1, t1, t2
    li t0, MTIMECMP
    sd t1, 0(t0)
    # WFI with interrupts globally off: it ends when MTIP is pending, and the trap comes
    # right after MIE is set, wherever the timer fired
    li t0, 1 << 7
    csrs mie, t0
    wfi
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    li t0, -1
    li t1, MTIMECMP
    sd t0, 0(t1)
    # software interrupt, vectored mode: the handler of cause 3 is at base + 12
    la t0, vectors
    ori t0, t0, 1
    csrw mtvec, t0
    li t0, 1 << 3
    csrs mie, t0
    li t1, CLINT
    li t0, 1
    sw t0, 0(t1)
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    la t0, m_trap
    csrw mtvec, t0
    call newline

    la t0, data_page
    li t1, 0x2222
    sd t1, 0(t0)
    li t1, 0x3333
    sd t1, 8(t0)
    # PMP, from S-mode: entry 0 TOR up to the data page (RWX), entry 1 NA4 on one word of it
    # (read-only), entry 2 NAPOT 4 KiB on the data page (no access), entry 3 NAPOT all (RWX)
    la t0, data_page
    srli t0, t0, 2
    csrw pmpaddr0, t0
    la t0, data_page
    addi t0, t0, 8
    srli t0, t0, 2
    csrw pmpaddr1, t0
    la t0, data_page
    srli t0, t0, 2
    ori t0, t0, (4096 >> 3) - 1
    csrw pmpaddr2, t0
    li t0, -1
    csrw pmpaddr3, t0
    li t0, (0x1f << 24) | (0x18 << 16) | (0x11 << 8) | 0x0f
    csrw pmpcfg0, t0
    csrr a0, pmpcfg0
    call print_hex
    csrr a0, pmpaddr2
    call print_hex
    call newline
    la a0, s_pmp
    call enter_s
    # a locked entry binds M-mode too: lock entry 2 (no access), then M reads the page
    li t0, 0x80 << 16
    csrs pmpcfg0, t0
    la t0, m_resume
    la t1, 1f
    sd t1, 0(t0)
    la t0, data_page
    ld a0, 0(t0)
1:  csrr a0, pmpcfg0
    call print_hex
    li t0, 0
    csrw pmpcfg0, t0              # entry 2 is locked: only the others change
    csrr a0, pmpcfg0
    call print_hex
    call newline
    li t0, 0x1f << 24             # entry 3 open again, for S-mode's code
    csrs pmpcfg0, t0

    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

s_pmp:
    # faults here are skipped, not ended: keep M's continuation aside until the end
    la t0, m_resume
    ld s5, 0(t0)
    sd zero, 0(t0)
    la t0, data_page
    addi t1, t0, -8
    ld a0, 0(t1)                 # below: entry 0 allows
    ld a0, 0(t0)                 # entry 1 (NA4): read allowed
    sw zero, 0(t0)               # ... write not
    ld a0, 8(t0)                 # entry 2: no access
    li a7, PRINT
    ecall
    la t0, m_resume
    sd s5, 0(t0)
    li a7, 0
    ecall

    .align 6
vectors:
    j m_trap
    j m_trap
    j m_trap
    j software                   # cause 3
software:
    csrrw t6, mscratch, t6
    sd t0, 0(t6)
    sd t1, 8(t6)
    li t0, CLINT
    sw zero, 0(t0)
    ld t0, 0(t6)
    ld t1, 8(t6)
    csrrw t6, mscratch, t6
    j m_trap

    .data
    .align 3
    # a page of its own (no GOT entries beside it), which PMP will close
    .section .bss
    .align 12
data_page: .zero 4096
