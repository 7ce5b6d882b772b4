package org.nicflow.controller.bench;

/**
 * How much a soak lets the controller's memory grow after its warm-up: its resident set at any
 * sample, and its live heap after the drain.
 */
public record SoakLimits(long maxRssGrowthKb, long maxHeapGrowthKb) {}
