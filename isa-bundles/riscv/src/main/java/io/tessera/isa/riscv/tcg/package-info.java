/**
 * RISC-V's translator front end: guest code to tcg IR ({@link io.tessera.isa.riscv.tcg.RiscvTranslator}),
 * and the runner that mixes the interpreter and translated code ({@link io.tessera.isa.riscv.tcg.TranslatingRunner}).
 * Translated units are hidden classes defined in this package. Private to the RISC-V bundle.
 */
package io.tessera.isa.riscv.tcg;
