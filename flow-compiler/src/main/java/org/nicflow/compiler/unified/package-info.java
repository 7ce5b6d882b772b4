/**
 * Reactive offload (docs/semantics.md, "Offload modes"): exact-match unified flows composed from
 * the reference evaluator's decision for one packet, one per connection and direction, for the
 * bridge the packet entered.
 */
package org.nicflow.compiler.unified;
