/**
 * The figures of a side-by-side run: metric definitions (unit, which direction is better, target
 * ratio), samples per system and round, and the per-round Tributary/Kafka ratios aggregated as
 * median and spread. Pure bookkeeping; the report and chart render from it.
 */
import { spread, type Spread } from './stats.js';

export type SystemName = 'kafka' | 'tributary';

export interface Target {
  /** 'ratio': Tributary/Kafka compared with `value`; 'tributary': Tributary's own figure. */
  kind: 'ratio' | 'tributary';
  op: '>=' | '<=';
  value: number;
}

export interface Metric {
  id: string;
  workload: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  target?: Target;
  /** Shown in the chart's absolute-throughput or latency panel. */
  panel?: 'throughput' | 'latency' | 'startup';
}

export interface Sample {
  metric: string;
  system: SystemName;
  round: number;
  value: number;
}

export interface Aggregate {
  metric: Metric;
  kafka: Spread;
  tributary: Spread;
  ratio: Spread;
  met: boolean | null;
}

export class Results {
  readonly metrics = new Map<string, Metric>();
  readonly samples: Sample[] = [];
  readonly errors: string[] = [];

  define(metric: Metric): void {
    this.metrics.set(metric.id, metric);
  }

  record(metric: string, system: SystemName, round: number, value: number): void {
    if (!this.metrics.has(metric)) throw new Error(`assertion failed: metric ${metric} not defined`);
    this.samples.push({ metric, system, round, value });
  }

  values(metric: string, system: SystemName): number[] {
    return this.samples.filter((s) => s.metric === metric && s.system === system).map((s) => s.value);
  }

  value(metric: string, system: SystemName, round: number): number {
    return this.samples.find((s) => s.metric === metric && s.system === system && s.round === round)?.value ?? Number.NaN;
  }

  rounds(): number[] {
    return [...new Set(this.samples.map((s) => s.round))].sort((a, b) => a - b);
  }

  /** Ratios are taken within a round (the two systems ran back to back), then aggregated. */
  aggregate(metric: Metric): Aggregate {
    const ratios = this.rounds().map((r) => this.value(metric.id, 'tributary', r) / this.value(metric.id, 'kafka', r));
    const ratio = spread(ratios);
    const tributary = spread(this.values(metric.id, 'tributary'));
    let met: boolean | null = null;
    if (metric.target !== undefined) {
      const subject = metric.target.kind === 'ratio' ? ratio.median : tributary.median;
      met = Number.isFinite(subject) ? (metric.target.op === '>=' ? subject >= metric.target.value : subject <= metric.target.value) : null;
    }
    return { metric, kafka: spread(this.values(metric.id, 'kafka')), tributary, ratio, met };
  }

  aggregates(): Aggregate[] {
    return [...this.metrics.values()].filter((m) => this.samples.some((s) => s.metric === m.id)).map((m) => this.aggregate(m));
  }
}
