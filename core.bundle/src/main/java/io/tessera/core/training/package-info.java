/**
 * Training runs of the JVM's ahead-of-time caches (JEP 483/514/515) for Tessera's short-lived
 * command-line programs ({@code run/tessera img}, {@code io}, {@code user}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.training;
