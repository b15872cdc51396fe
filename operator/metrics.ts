/**
 * Operator metrics on a private prom-client Registry (never the global one, so tests can build
 * several): reconciles by controller and outcome, their durations, errors, work-queue depth,
 * leadership, plus prom-client's process and Node.js metrics. Implements the runtime's
 * `ControllerMetrics`. Served by `operator/main.ts` at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControllerMetrics, ReconcileOutcome } from './runtime/controller.js';

export interface OperatorMetrics extends ControllerMetrics {
  readonly registry: Registry;
  setLeader(isLeader: boolean): void;
}

export function createOperatorMetrics(options: { defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tributary_operator_' });
  const reconciles = new Counter({
    name: 'tributary_operator_reconciles_total',
    help: 'Reconciles by controller and outcome (success, requeue, error, terminal).',
    labelNames: ['controller', 'outcome'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'tributary_operator_reconcile_errors_total',
    help: 'Reconciles that failed (retried with back-off, or terminal for an invalid spec).',
    labelNames: ['controller'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'tributary_operator_reconcile_duration_seconds',
    help: 'Time one reconcile took.',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'tributary_operator_workqueue_depth',
    help: 'Keys waiting in a controller\'s work queue.',
    labelNames: ['controller'] as const,
    registers: [registry],
  });
  const leader = new Gauge({
    name: 'tributary_operator_leader',
    help: '1 while this instance holds the leader lease, else 0.',
    registers: [registry],
  });
  leader.set(0);
  return {
    registry,
    observeReconcile(controller: string, outcome: ReconcileOutcome, durationMs: number) {
      reconciles.inc({ controller, outcome });
      if (outcome === 'error' || outcome === 'terminal') errors.inc({ controller });
      durations.observe({ controller }, durationMs / 1000);
    },
    setQueueDepth(controller: string, value: number) {
      depth.set({ controller }, value);
    },
    setLeader(isLeader: boolean) {
      leader.set(isLeader ? 1 : 0);
    },
  };
}
