package io.tessera.core.memory;

import java.util.List;
import java.util.Optional;

/** An address space seen through an IOMMU: each access is translated, then forwarded. */
final class IommuAddressSpace implements AddressSpace {

    private final String name;
    private final AddressSpace target;
    private final IommuTranslator iommu;

    IommuAddressSpace(String name, AddressSpace target, IommuTranslator iommu) {
        this.name = name;
        this.target = target;
        this.iommu = iommu;
    }

    private IommuTranslator.Translation translate(long iova, AccessKind access) {
        IommuTranslator.Translation t = iommu.translate(iova, access);
        if (t == null || !t.permitted()) {
            throw new BusErrorException(iova, access, "refused by the IOMMU of '" + name + "'");
        }
        return t;
    }

    private long target(long iova, AccessKind access) {
        IommuTranslator.Translation t = translate(iova, access);
        return (t.address() & ~t.pageMask()) | (iova & t.pageMask());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ContainerRegion root() {
        return target.root();
    }

    @Override
    public long read(long address, int size) {
        if (samePage(address, size, AccessKind.READ)) {
            return target.read(target(address, AccessKind.READ), size);
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (target.read(target(address + i, AccessKind.READ), 1) & 0xff) << (8 * i);
        }
        return value;
    }

    @Override
    public void write(long address, int size, long value) {
        if (samePage(address, size, AccessKind.WRITE)) {
            target.write(target(address, AccessKind.WRITE), size, value);
            return;
        }
        for (int i = 0; i < size; i++) {
            target.write(target(address + i, AccessKind.WRITE), 1, value >>> (8 * i));
        }
    }

    private boolean samePage(long address, int size, AccessKind access) {
        long mask = translate(address, access).pageMask();
        return (address & ~mask) == ((address + size - 1) & ~mask);
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) {
        int done = 0;
        while (done < length) {
            long iova = address + done;
            IommuTranslator.Translation t = translate(iova, AccessKind.READ);
            int chunk = (int) Math.min(length - done, t.pageMask() - (iova & t.pageMask()) + 1);
            target.read((t.address() & ~t.pageMask()) | (iova & t.pageMask()), dst, offset + done, chunk);
            done += chunk;
        }
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) {
        int done = 0;
        while (done < length) {
            long iova = address + done;
            IommuTranslator.Translation t = translate(iova, AccessKind.WRITE);
            int chunk = (int) Math.min(length - done, t.pageMask() - (iova & t.pageMask()) + 1);
            target.write((t.address() & ~t.pageMask()) | (iova & t.pageMask()), src, offset + done, chunk);
            done += chunk;
        }
    }

    @Override
    public Optional<FlatRange> lookup(long address) {
        IommuTranslator.Translation t = iommu.translate(address, AccessKind.READ);
        if (t == null || !t.permitted()) {
            return Optional.empty();
        }
        return target.lookup((t.address() & ~t.pageMask()) | (address & t.pageMask()));
    }

    @Override
    public List<FlatRange> flatView() {
        return target.flatView();
    }
}
