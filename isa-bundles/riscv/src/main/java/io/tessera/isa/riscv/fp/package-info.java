/**
 * Exact IEEE 754-2008 binary32 and binary64 arithmetic for the RISC-V F and D extensions,
 * on raw bit patterns.
 *
 * <p>{@link io.tessera.isa.riscv.fp.Fp32} and {@link io.tessera.isa.riscv.fp.Fp64} hold the
 * operations as static methods: values are passed and returned as the raw encoding ({@code int}
 * for single, {@code long} for double), the rounding mode as RISC-V encodes it
 * ({@link io.tessera.isa.riscv.fp.FpRounding}), and exception flags are OR-ed into an
 * {@link io.tessera.isa.riscv.fp.FpFlags} with the fcsr.fflags bit layout. Every result is
 * correctly rounded in all five modes, flags included (tininess detected after rounding), and
 * every NaN result is the canonical NaN. No operation allocates.
 */
package io.tessera.isa.riscv.fp;
