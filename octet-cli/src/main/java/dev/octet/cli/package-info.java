/**
 * The {@code octet} command line (picocli): one class per command; {@link dev.octet.cli.OctetCli}
 * turns every {@link dev.octet.core.OctetException} into one line on stderr and exit status 2.
 */
package dev.octet.cli;
