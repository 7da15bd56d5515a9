/** The optimizer passes and the ASM bytecode emitter (private to the translator bundle). */
package io.tessera.tcg.internal;
