/**
 * The graph IR: a frozen, topologically ordered {@link dev.octet.core.graph.Graph} of {@link
 * dev.octet.core.graph.Node}s inside a {@link dev.octet.core.graph.Model}; {@link
 * dev.octet.core.graph.GraphEditor} is the only way to change one.
 */
package dev.octet.core.graph;
