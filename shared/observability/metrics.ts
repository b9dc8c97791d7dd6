/**
 * Job metrics: what an operator graphs and alarms on — units processed and failed, how long a unit takes, how long a
 * message waited in its queue — each per job kind. On Lambda they go out through Powertools' Metrics (CloudWatch
 * embedded metric format, one record per metric so each keeps its own dimensions); locally they are debug lines.
 */
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { Log } from "./log.js";

/** The metrics the kernel emits. */
export type JobMetricName = "UnitsProcessed" | "UnitErrors" | "UnitDuration" | "QueueAge" | "MessagesFailed";

/** The metrics port. `dimensions` always carries the job kind. */
export interface JobMetrics {
  count(name: JobMetricName, value: number, dimensions: { kind: string }): void;
  milliseconds(name: JobMetricName, value: number, dimensions: { kind: string }): void;
}

export const noMetrics: JobMetrics = { count() {}, milliseconds() {} };

/** Powertools' Metrics: each value published at once with its own dimensions (several kinds may share a process). */
export function powertoolsMetrics(metrics: Metrics): JobMetrics {
  const emit = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>) => {
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, unit, value);
  };
  return {
    count: (name, value, dims) => emit(name, MetricUnit.Count, value, dims),
    milliseconds: (name, value, dims) => emit(name, MetricUnit.Milliseconds, value, dims),
  };
}

/** Metrics as debug log lines (the local stack). */
export function logMetrics(log: Log): JobMetrics {
  return {
    count: (name, value, dims) => log.debug("metric", { name, value, ...dims }),
    milliseconds: (name, value, dims) => log.debug("metric", { name, ms: Math.round(value), ...dims }),
  };
}
