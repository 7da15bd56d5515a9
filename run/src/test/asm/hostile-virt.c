/*
 * A misbehaving guest for the riscv virt board (-bios none: it runs in M-mode from 0x80000000).
 * It touches every device with sizes and offsets the device does not take, reads and writes
 * where nothing is mapped, and hands a virtio-rng device (-device virtio-rng-device, in the
 * highest slot) rings that break the virtio rules. Real hardware answers with access faults,
 * ignored writes and a device that flags DEVICE_NEEDS_RESET; an emulator must do the same and
 * keep running. It prints what it saw on the UART and ends through the SiFive test device.
 *
 * Built by VirtHostileGuestIT with Debian's riscv64 cross compiler (freestanding, no libc).
 */
#include <stdint.h>

#define UART 0x10000000UL
#define TEST 0x100000UL
#define RTC 0x101000UL
#define CLINT 0x2000000UL
#define PLIC 0xc000000UL
#define VIRTIO_FIRST 0x10001000UL
#define VIRTIO_LAST 0x10008000UL
#define VIRTIO_STRIDE 0x1000UL

/* virtio-mmio registers and status bits (virtio 1.2, 4.2.2) */
#define MAGIC 0x000
#define DEVICE_ID 0x008
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define ACKNOWLEDGE 1
#define DRIVER 2
#define DRIVER_OK 4
#define FEATURES_OK 8
#define NEEDS_RESET 64
#define DESC_NEXT 1
#define DESC_WRITE 2
#define DESC_INDIRECT 4

/* Counted by the trap handler: every exception is an access the platform refused. */
volatile uint64_t faults;

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

#define QSIZE 8
static struct desc table[QSIZE] __attribute__((aligned(16)));
static struct desc indirect[4] __attribute__((aligned(16)));
static volatile uint16_t avail[2 + QSIZE + 1] __attribute__((aligned(2)));
static volatile uint32_t used[1 + 2 * QSIZE + 1] __attribute__((aligned(4)));
static uint8_t buffer[64];
static uint8_t stack[8192] __attribute__((aligned(16)));

void trap(void);

__attribute__((naked, section(".text.init"))) void _start(void) {
    __asm__ volatile(
        "la sp, %0\n"
        "li t0, 8192\n"
        "add sp, sp, t0\n"
        "la t0, trap\n"
        "csrw mtvec, t0\n"
        "csrw mie, zero\n"
        "call main\n"
        "1: j 1b\n" ::"i"(stack));
}

/* Skips the instruction that faulted (2 or 4 bytes) and counts it; interrupts are off (mie = 0). */
__attribute__((naked, aligned(4))) void trap(void) {
    __asm__ volatile(
        "csrw mscratch, t0\n"
        "la t0, faults\n"
        "amoadd.d zero, %0, (t0)\n"
        "csrr t0, mepc\n"
        "lhu t0, 0(t0)\n"
        "andi t0, t0, 3\n"
        "addi t0, t0, -3\n"
        "bnez t0, 1f\n"
        "csrr t0, mepc\n"
        "addi t0, t0, 4\n"
        "csrw mepc, t0\n"
        "csrr t0, mscratch\n"
        "mret\n"
        "1: csrr t0, mepc\n"
        "addi t0, t0, 2\n"
        "csrw mepc, t0\n"
        "csrr t0, mscratch\n"
        "mret\n" ::"r"(1L));
}

static void putc_(char c) {
    while (!(*(volatile uint8_t *)(UART + 5) & 0x20)) {
    }
    *(volatile uint8_t *)UART = c;
}

static void puts_(const char *s) {
    while (*s) {
        putc_(*s++);
    }
}

static void hex(uint64_t v) {
    puts_("0x");
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        int d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            putc_("0123456789abcdef"[d]);
            started = 1;
        }
    }
}

static uint64_t read(uint64_t address, int size) {
    switch (size) {
        case 1: return *(volatile uint8_t *)address;
        case 2: return *(volatile uint16_t *)address;
        case 4: return *(volatile uint32_t *)address;
        default: return *(volatile uint64_t *)address;
    }
}

static void write(uint64_t address, int size, uint64_t value) {
    switch (size) {
        case 1: *(volatile uint8_t *)address = value; break;
        case 2: *(volatile uint16_t *)address = value; break;
        case 4: *(volatile uint32_t *)address = value; break;
        default: *(volatile uint64_t *)address = value; break;
    }
}

/* Reads at every size from `from` to `to` (aligned and not), then writes `value` the same way. */
static void poke(uint64_t from, uint64_t to, uint64_t step, uint64_t value, int writes) {
    for (uint64_t a = from; a < to; a += step) {
        for (int size = 1; size <= 8; size *= 2) {
            (void)read(a, size);
            (void)read(a + 1, size);
            if (writes) {
                write(a, size, value);
                write(a + 3, size, value);
            }
        }
    }
}

static uint32_t reg(uint64_t base, int offset) {
    return *(volatile uint32_t *)(base + offset);
}

static void set(uint64_t base, int offset, uint32_t value) {
    *(volatile uint32_t *)(base + offset) = value;
}

/* Resets the device and sets up queue 0 on the static rings, as a driver would, up to DRIVER_OK. */
static void setup(uint64_t base) {
    set(base, STATUS, 0);
    /* Empty rings first: a device serves what is available as soon as the driver is ready. */
    for (int i = 0; i < (int)(sizeof avail / sizeof avail[0]); i++) {
        avail[i] = 0;
    }
    for (int i = 0; i < (int)(sizeof used / sizeof used[0]); i++) {
        used[i] = 0;
    }

    set(base, STATUS, ACKNOWLEDGE);
    set(base, STATUS, ACKNOWLEDGE | DRIVER);
    set(base, DRIVER_FEATURES_SEL, 1);
    set(base, DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
    set(base, DRIVER_FEATURES_SEL, 0);
    set(base, DRIVER_FEATURES, 0);
    set(base, STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    set(base, QUEUE_SEL, 0);
    set(base, QUEUE_NUM, QSIZE);
    set(base, QUEUE_DESC_LOW, (uint32_t)(uintptr_t)table);
    set(base, QUEUE_DESC_HIGH, 0);
    set(base, QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)avail);
    set(base, QUEUE_DRIVER_HIGH, 0);
    set(base, QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)used);
    set(base, QUEUE_DEVICE_HIGH, 0);
    set(base, QUEUE_READY, 1);
    set(base, STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
}

/* Offers descriptor `head`, notifies, and waits a while for the device to use it or give up. */
static void offer(uint64_t base, const char *what, uint16_t head, uint16_t avail_idx) {
    avail[2] = head;
    __asm__ volatile("fence w, w" ::: "memory");
    avail[1] = avail_idx;
    __asm__ volatile("fence w, w" ::: "memory");
    set(base, QUEUE_NOTIFY, 0);
    uint32_t status = 0;
    for (long spin = 0; spin < 2000000; spin++) {
        status = reg(base, STATUS);
        if ((status & NEEDS_RESET) || (used[0] >> 16) != 0) {
            break;
        }
    }
    puts_(what);
    puts_(": status ");
    hex(status);
    puts_(" used ");
    hex(used[0] >> 16);
    puts_("\n");
}

int main(void) {
    puts_("HOSTILE-START\n");
    /* Every device, at sizes and offsets it does not take. The test device gets no value that means anything. */
    poke(UART, UART + 0x100, 8, 0x5a, 1);
    /* Back to a working line (the pokes set loopback and more): 8N1, FIFOs on, no interrupts. */
    write(UART + 3, 1, 3);
    write(UART + 4, 1, 0);
    write(UART + 1, 1, 0);
    write(UART + 2, 1, 7);
    poke(RTC, RTC + 0x40, 4, 0xffffffffffffffffUL, 1);
    poke(TEST, TEST + 0x40, 4, 0x1234, 1);
    poke(CLINT + 0x8, CLINT + 0x40, 4, 0, 1);
    poke(CLINT + 0x4000 + 0x40, CLINT + 0x4000 + 0x80, 8, 0xffffffffffffffffUL, 1);
    poke(CLINT + 0xbff0, CLINT + 0xc000, 4, 0, 0);
    poke(PLIC, PLIC + 0x40, 4, 7, 1);
    poke(PLIC + 0x1000, PLIC + 0x1010, 4, 0xffffffff, 1);
    poke(PLIC + 0x2000, PLIC + 0x2010, 4, 0xffffffff, 1);
    poke(PLIC + 0x200000, PLIC + 0x200010, 4, 0xffffffff, 1);
    poke(PLIC + 0x3fff000, PLIC + 0x3fff010, 4, 0xffffffff, 0);
    for (uint64_t slot = VIRTIO_FIRST; slot < VIRTIO_LAST; slot += VIRTIO_STRIDE) {
        poke(slot, slot + 0x200, 4, 0xffffffff, 1);
    }
    poke(VIRTIO_LAST, VIRTIO_LAST + 0x100, 8, 0, 0);
    /* Nothing is mapped here (on QEMU's virt either): access faults, 16 an address. */
    uint64_t before = faults;
    poke(0x8000000UL, 0x8000010UL, 8, 1, 1);
    poke(0x10200000UL, 0x10200010UL, 8, 1, 1);
    puts_("unmapped faults ");
    hex(faults - before);
    puts_("\n");
    puts_("survived the pokes\n");

    uint64_t rng = VIRTIO_LAST;
    puts_("rng magic ");
    hex(reg(rng, MAGIC));
    puts_(" device ");
    hex(reg(rng, DEVICE_ID));
    puts_("\n");

    /* A descriptor chain that is a loop. */
    setup(rng);
    table[0] = (struct desc){(uintptr_t)buffer, 16, DESC_NEXT | DESC_WRITE, 1};
    table[1] = (struct desc){(uintptr_t)buffer + 16, 16, DESC_NEXT | DESC_WRITE, 0};
    offer(rng, "loop", 0, 1);
    /* A buffer outside RAM and longer than memory. */
    setup(rng);
    table[0] = (struct desc){0xfffffffffffff000UL, 0xffffffffU, DESC_WRITE, 0};
    offer(rng, "outside", 0, 1);
    /* A head index beyond the table. */
    setup(rng);
    offer(rng, "head", 200, 1);
    /* The driver claims to have made 1000 buffers available in a queue of 8. */
    setup(rng);
    table[0] = (struct desc){(uintptr_t)buffer, 16, DESC_WRITE, 0};
    offer(rng, "idx", 0, 1000);
    /* An indirect table that names itself, with a length that is not a whole number of descriptors. */
    setup(rng);
    indirect[0] = (struct desc){(uintptr_t)indirect, sizeof indirect, DESC_INDIRECT, 0};
    table[0] = (struct desc){(uintptr_t)indirect, 20, DESC_INDIRECT, 0};
    offer(rng, "indirect", 0, 1);
    /* A ring that is fine: after all that, the device still works once reset. */
    setup(rng);
    table[0] = (struct desc){(uintptr_t)buffer, 16, DESC_WRITE, 0};
    offer(rng, "good", 0, 1);

    puts_("HOSTILE-DONE\n");
    write(TEST, 4, 0x5555);
    for (;;) {
    }
}
