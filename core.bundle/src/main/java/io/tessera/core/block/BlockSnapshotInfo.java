package io.tessera.core.block;

/**
 * One internal snapshot as {@code qemu-img snapshot -l} lists it.
 *
 * @param id the snapshot's id string
 * @param name its name
 * @param vmStateSize bytes of saved machine state in it (0 for a disk-only snapshot)
 * @param dateSeconds when it was taken, seconds since the epoch
 * @param dateNanoseconds the nanoseconds to add to {@code dateSeconds}
 * @param vmClockNanoseconds the guest clock when it was taken
 * @param icount the instruction count when it was taken, or -1 if not recorded
 * @param diskSize the virtual disk size when it was taken
 */
public record BlockSnapshotInfo(String id, String name, long vmStateSize, long dateSeconds, long dateNanoseconds,
        long vmClockNanoseconds, long icount, long diskSize) {
}
