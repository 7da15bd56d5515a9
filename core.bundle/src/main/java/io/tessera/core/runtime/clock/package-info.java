/** The host-driven implementation of the core's virtual clock (private to the core bundle). */
package io.tessera.core.runtime.clock;
