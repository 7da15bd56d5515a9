/**
 * The dynamic translator's API: an IR in the spirit of QEMU's TCG ({@link io.tessera.tcg.IrUnit}),
 * its optimizer and JVM bytecode backend ({@link io.tessera.tcg.UnitCompiler}), what generated
 * code calls at run time ({@link io.tessera.tcg.SoftTlb}, {@link io.tessera.tcg.CompiledUnit},
 * {@link io.tessera.tcg.IrRuntime}) and the translation cache
 * ({@link io.tessera.tcg.TranslationCache}). ISA front ends build IR; nothing here knows an ISA.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.tessera.tcg;
