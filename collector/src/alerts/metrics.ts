import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The alerting plugin's Prometheus series. */
export interface AlertingMetrics {
  transitions: Counter<'rule' | 'to'>;
  notifications: Counter<'receiver' | 'result'>;
  open: Gauge<'rule' | 'state'>;
  evaluation: Histogram;
  errors: Counter;
  /** 1 while this collector holds the detector lease. */
  leader: Gauge;
}

export function alertingMetrics(registry: Registry): AlertingMetrics {
  const registers = [registry];
  return {
    transitions: new Counter({
      name: 'flyprobe_alert_transitions_total',
      help: 'Alert state transitions',
      labelNames: ['rule', 'to'] as const,
      registers,
    }),
    notifications: new Counter({
      name: 'flyprobe_alert_notifications_total',
      help: 'Notification delivery attempts by receiver kind and result (delivered, retry, dead, replica_failed)',
      labelNames: ['receiver', 'result'] as const,
      registers,
    }),
    open: new Gauge({
      name: 'flyprobe_alerts_open',
      help: 'Pending and firing alerts',
      labelNames: ['rule', 'state'] as const,
      registers,
    }),
    evaluation: new Histogram({
      name: 'flyprobe_alert_evaluation_seconds',
      help: 'Time to evaluate every detector and apply the lifecycle',
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
      registers,
    }),
    errors: new Counter({
      name: 'flyprobe_alert_evaluation_errors_total',
      help: 'Failed evaluations (logged)',
      registers,
    }),
    leader: new Gauge({
      name: 'flyprobe_detector_leader',
      help: '1 while this collector holds the detector lease (runs detection and delivery), else 0',
      registers,
    }),
  };
}
