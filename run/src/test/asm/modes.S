# Privilege modes, delegation and Sv39/Sv48/Sv57 translation: M sets up PMP and page tables,
# drops to S, S to U; traps go to S when delegated, to M otherwise. S-mode prints through
# the M-mode PRINT service; the S-mode handler reports scause, stval and sepc and skips the
# trapping instruction, or returns to M when a test is finished with S (ecall with a7 = 0).
    .equ PRINT, 0x7e57
    .equ PTE_V, 1
    .equ PTE_R, 2
    .equ PTE_W, 4
    .equ PTE_X, 8
    .equ PTE_U, 16
    .equ PTE_A, 64
    .equ PTE_D, 128
    .text
    .option norvc               # S-mode handlers skip 4-byte instructions
    .globl main
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    # PMP: all of memory open to S and U (NAPOT over everything, RWX)
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    la t0, s_trap
    csrw stvec, t0
    # delegate to S: illegal instruction, breakpoint, ecall from U, page faults; SSIP
    li t0, (1 << 2) | (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    li t0, 2
    csrw mideleg, t0

    # Bare S-mode: a delegated illegal instruction, an ecall to M, a software interrupt
    la a0, s_bare
    call enter_s
    # Sv39, Sv48, Sv57 in turn: mode in s3
    li s3, 8
1:  call build_tables
    mv a0, s3
    slli a0, a0, 60
    la t0, root
    srli t0, t0, 12
    or a0, a0, t0
    csrw satp, a0
    sfence.vma
    la a0, s_paged
    call enter_s
    # dump the leaf entries: the hardware set A and D where accessed
    ld s4, leaf_entries
    ld a0, 0(s4)
    slli a0, a0, 54            # the flags only: the PPNs differ with the layout
    srli a0, a0, 54
    call print_hex
    ld a0, 8(s4)
    slli a0, a0, 54
    srli a0, a0, 54
    call print_hex
    call newline
    addi s3, s3, 1
    li t0, 11
    blt s3, t0, 1b
    csrw satp, zero
    li a0, 0
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

s_bare:
    .word 0xffffffff           # illegal: delegated to S
    ebreak                     # delegated to S
    li a7, PRINT
    csrr a0, sstatus
    ecall                      # S prints sstatus through M
    csrsi sstatus, 2           # SIE
    csrsi sie, 2               # SSIE
    csrsi sip, 2               # pending: taken at once in S
    nop
    csrci sstatus, 2
    li a7, 0
    ecall                      # back to M (not delegated: prints the trap)

# S-mode with translation: code, data and the console pages are mapped by the tables
s_paged:
    li a7, PRINT
    li t0, 0x40000000           # the data page, through its virtual address
    ld a0, 0(t0)
    ecall
    li t1, 0x1234
    sd t1, 8(t0)                # sets D
    li t0, 0x40001000           # the user page: S-mode may not read it without SUM
    ld a0, 0(t0)
    li t1, 1 << 18
    csrs sstatus, t1
    ld a0, 0(t0)                # now it may
    li a7, PRINT
    ecall
    csrc sstatus, t1
    li t0, 0x40002000           # execute-only page: readable only with MXR
    ld a0, 0(t0)
    li t1, 1 << 19
    csrs sstatus, t1
    ld a0, 0(t0)
    li a7, PRINT
    ecall
    csrc sstatus, t1
    li t0, 0x40003000           # read-only page: store faults
    sd zero, 0(t0)
    li t0, 0x40005000           # not mapped
    ld a0, 0(t0)
    li t0, 0x40003000
    amoswap.d a0, zero, (t0)    # read-only: a store fault too
    li t0, 0x40000000
    li t1, 5
    amoadd.d a0, t1, (t0)       # mapped and writable: works, and returns the old value
    amoadd.d a0, t1, (t0)
    li a7, PRINT
    ecall
    li t0, 0x7fffffff00000000   # not canonical in Sv39 (fault), canonical but unmapped in Sv48/57
    ld a0, 0(t0)
    # U-mode: runs user_code in the user page (virtual 0x40001000), which ecalls back
    la t0, 1f
    csrw sscratch, t0
    li t0, 0x40001000
    csrw sepc, t0
    li t0, 1 << 8
    csrc sstatus, t0            # SPP = U
    sret
1:  li a7, 0
    ecall

    .align 2
s_trap:
    csrr t5, scause
    li t6, 8
    bne t5, t6, 2f
    # ecall from U: back to S at sscratch
    csrr t5, sscratch
    csrw sepc, t5
    li t5, 1 << 8
    csrs sstatus, t5
    li a7, PRINT
    li a0, 0x5555
    ecall
    sret
2:  mv t4, a0
    li a7, PRINT
    csrr a0, scause
    ecall
    csrr a0, stval
    ecall
    csrr a0, sepc
    ecall
    mv a0, t4
    csrr t5, scause
    bltz t5, 3f                 # an interrupt: clear it
    csrr t5, sepc
    addi t5, t5, 4
    csrw sepc, t5
    sret
3:  csrci sip, 2
    sret

# build_tables: identity gigapage (RWX, A/D set) for RAM at 0x80000000; 0x40000000: one 2 MiB
# region of 4 KiB pages: +0 data RW, +0x1000 user RWX (the user code copied there),
# +0x2000 execute-only, +0x3000 read-only; the page tables for the mode in s3.
build_tables:
    la t0, root
    li t1, 0
    li t2, 4096 * 6 / 8
1:  sd zero, 0(t0)
    addi t0, t0, 8
    addi t1, t1, 1
    blt t1, t2, 1b
    # the root and the intermediate tables: root -> l1 -> l2 -> l3 depending on the levels
    la a0, root
    mv a3, s3
    addi a3, a3, -5             # levels: 3, 4, 5
    la a4, tables
    # upper levels with only entry 0 used (va < 2^30 bits above the top level stay zero)
    li a5, 3
2:  ble a3, a5, 3f
    srli t1, a4, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V
    sd t1, 0(a0)
    mv a0, a4
    li t1, 4096
    add a4, a4, t1
    addi a3, a3, -1
    j 2b
3:  # a0 is now the Sv39-style top table: entry 2 = identity gigapage for RAM at 0x80000000
    li t1, (0x80000000 >> 12) << 10
    ori t1, t1, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    sd t1, 16(a0)
    # entry 1 (0x40000000) -> a second-level table -> a third-level table
    srli t1, a4, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V
    sd t1, 8(a0)
    mv a0, a4
    li t1, 4096
    add a4, a4, t1
    srli t1, a4, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V
    sd t1, 0(a0)
    mv a0, a4                   # the leaf table
    la t1, page_data
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V | PTE_R | PTE_W
    sd t1, 0(a0)
    la t1, page_user
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U
    sd t1, 8(a0)
    la t1, page_xonly
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V | PTE_X | PTE_A
    sd t1, 16(a0)
    la t1, page_data
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, PTE_V | PTE_R | PTE_A
    sd t1, 24(a0)
    la t1, leaf_entries         # remember where the leaves are (printed after the run)
    sd a0, 0(t1)
    # copy the user code into the user page
    la t0, user_code
    la t1, page_user
    li t2, 64
4:  lw t3, 0(t0)
    sw t3, 0(t1)
    addi t0, t0, 4
    addi t1, t1, 4
    addi t2, t2, -4
    bgtz t2, 4b
    fence.i
    ret

user_code:
    li a0, 0x40000000
    ld a1, 0(a0)                # U may not read an S page: page fault to S
    csrr a1, sstatus            # U may not read S CSRs: illegal to S
    ecall                       # back to S
    .fill 8, 4, 0x00000013

    .data
    .align 3
leaf_entries: .dword 0
    .section .bss
    .align 12
root: .zero 4096
tables: .zero 4096 * 5
page_data: .zero 4096
page_user: .zero 4096
page_xonly: .zero 4096
