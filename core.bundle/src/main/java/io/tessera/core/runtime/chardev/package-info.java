/** Character devices built into the core (private to the core bundle). */
package io.tessera.core.runtime.chardev;
