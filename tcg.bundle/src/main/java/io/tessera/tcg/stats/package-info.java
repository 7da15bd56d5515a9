/**
 * What the translator knows about its blocks, for the monitor and for user mode's report at
 * exit: a {@link io.tessera.tcg.stats.TranslationSnapshot} of every cached block's counts
 * ({@link io.tessera.tcg.stats.BlockStats}), one block's guest code, IR and bytecode
 * ({@link io.tessera.tcg.stats.BlockListing}), and the reports made of them: the hottest
 * blocks, the coverset, the control-flow graph as Graphviz dot
 * ({@link io.tessera.tcg.stats.TranslationReports}). A machine's translator publishes its
 * {@link io.tessera.tcg.stats.TranslationStatistics}; nothing here runs on the hot path.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.tcg.stats;
