# The smallest HTIF program: prints a line through the console device and exits with status 3.
    .text
    .globl main
main:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, message
    call puts
    li a0, 3
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
    .data
message: .asciz "hello from spike\n"
