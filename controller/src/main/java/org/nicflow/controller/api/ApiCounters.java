package org.nicflow.controller.api;

import java.util.concurrent.atomic.LongAdder;

/** What the API refused to keep a client from holding it up; {@code /metrics} shows them. */
final class ApiCounters {

  /** Requests answered 503 at once because every worker was busy and the queue full. */
  final LongAdder shed = new LongAdder();
  /** Connections answered 408 and closed: a request not received within the request timeout. */
  final LongAdder requestTimeouts = new LongAdder();
  /** HTTPS connections closed because their TLS handshake failed or did not end in time. */
  final LongAdder tlsFailures = new LongAdder();
  /** Connections closed on accept: too many open. */
  final LongAdder refusedConnections = new LongAdder();
  /** Flow listings answered 503 at once: too many flow-statistics requests waiting for switches. */
  final LongAdder flowStatsRefused = new LongAdder();
  /** Writes with {@code ?wait=enforced} answered 503 at once: too many already waiting for switches. */
  final LongAdder enforceWaitsRefused = new LongAdder();
  /** Flow-statistics requests a switch did not answer in time. */
  final LongAdder flowStatsTimeouts = new LongAdder();
}
