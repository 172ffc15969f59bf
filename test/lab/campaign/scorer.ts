/**
 * Scores a fault campaign: matches the collector's alerts to injected faults by rule, labels and time, and
 * reports per fault class recall (with the right labels), label accuracy, false alerts, detection latency
 * and time to resolve in probe intervals. Pure: no lab, no clock.
 */

/** An alert as the scorer needs it (a subset of the API's AlertView). */
export interface ScoredAlert {
  id: string;
  rule: string;
  labels: Record<string, string>;
  firedAt: number | null;
  resolvedAt: number | null;
}

/** Labels an alert must carry (every key equal; a list means any of these values). */
export interface AlertMatcher {
  rule: string;
  labels?: Partial<Record<string, string | string[]>>;
}

export interface InjectedFault {
  id: number;
  faultClass: string;
  description: string;
  injectedAt: number;
  removedAt: number;
  /** The alert that detects it (any of these). Empty: the fault must raise nothing (e.g. a collector outage). */
  expect: AlertMatcher[];
  /** Consequences that are true alerts too (a flap resets streams), not counted as false. */
  allow: AlertMatcher[];
}

export interface FaultScore {
  fault: InjectedFault;
  /** An alert of the expected rule fired during the fault. */
  ruleDetected: boolean;
  /** ...with every expected label. */
  detected: boolean;
  alert?: ScoredAlert;
  detectIntervals?: number;
  resolveIntervals?: number;
  /** Alerts during this fault's window that neither detect nor are allowed. */
  falseAlerts: ScoredAlert[];
}

export interface ClassScore {
  faultClass: string;
  faults: number;
  detected: number;
  ruleDetected: number;
  recall: number;
  /** Of the faults whose rule fired, the share with the right labels. */
  labelAccuracy: number;
  falseAlerts: number;
  detectMedian?: number;
  detectMax?: number;
  resolveMedian?: number;
  resolveMax?: number;
  /** Detected alerts still open at the end of the campaign. */
  unresolved: number;
}

export interface CampaignScore {
  classes: ClassScore[];
  faults: FaultScore[];
  /** Alerts that fired outside every fault window. */
  cleanFalseAlerts: ScoredAlert[];
  cleanIntervals: number;
}

export interface ScoreOptions {
  intervalMs: number;
  /** Campaign start and end (clean time is counted between them). */
  from: number;
  to: number;
  /** A fault's window extends this long past its removal (resolution and late reports). */
  graceMs: number;
}

export function matches(a: { rule: string; labels: Record<string, string> }, m: AlertMatcher): boolean {
  if (a.rule !== m.rule) return false;
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (v === undefined) continue;
    const actual = a.labels[k];
    if (actual === undefined || (Array.isArray(v) ? !v.includes(actual) : v !== actual)) return false;
  }
  return true;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const within = (at: number, from: number, to: number) => at >= from && at <= to;

export function scoreCampaign(
  faults: readonly InjectedFault[],
  alerts: readonly ScoredAlert[],
  o: ScoreOptions,
): CampaignScore {
  const fired = alerts.filter((a): a is ScoredAlert & { firedAt: number } => a.firedAt !== null);
  const explained = new Set<string>();
  const scores: FaultScore[] = faults.map((fault) => {
    const end = fault.removedAt + o.graceMs;
    const inWindow = fired.filter((a) => within(a.firedAt, fault.injectedAt, end));
    const detecting = inWindow
      .filter((a) => fault.expect.some((m) => matches(a, m)))
      .sort((a, b) => a.firedAt - b.firedAt);
    const ruleOnly = inWindow.filter((a) => fault.expect.some((m) => m.rule === a.rule));
    // An alert already open when the fault began (fired before it) may also carry on into it.
    for (const a of inWindow)
      if (fault.expect.some((m) => matches(a, m)) || fault.allow.some((m) => matches(a, m)))
        explained.add(a.id);
    const alert = detecting[0];
    const score: FaultScore = {
      fault,
      ruleDetected: fault.expect.length === 0 ? true : ruleOnly.length > 0,
      detected: fault.expect.length === 0 ? inWindow.every((a) => explained.has(a.id)) : alert !== undefined,
      falseAlerts: [],
    };
    if (alert) {
      score.alert = alert;
      score.detectIntervals = Math.max(0, alert.firedAt - fault.injectedAt) / o.intervalMs;
      if (alert.resolvedAt !== null)
        score.resolveIntervals = Math.max(0, alert.resolvedAt - fault.removedAt) / o.intervalMs;
    }
    return score;
  });
  // False alerts: fired in a fault's window but explained by no fault whose window holds them.
  for (const s of scores) {
    const end = s.fault.removedAt + o.graceMs;
    s.falseAlerts = fired.filter((a) => within(a.firedAt, s.fault.injectedAt, end) && !explained.has(a.id));
    if (s.fault.expect.length === 0) s.detected = s.falseAlerts.length === 0;
  }
  const inAnyWindow = (at: number) => faults.some((f) => within(at, f.injectedAt, f.removedAt + o.graceMs));
  const cleanFalseAlerts = fired.filter((a) => !inAnyWindow(a.firedAt));
  let faultMs = 0;
  const windows = faults
    .map((f) => [Math.max(o.from, f.injectedAt), Math.min(o.to, f.removedAt + o.graceMs)] as const)
    .sort((a, b) => a[0] - b[0]);
  let cursor = o.from;
  for (const [a, b] of windows) {
    const start = Math.max(a, cursor);
    if (b > start) faultMs += b - start;
    cursor = Math.max(cursor, b);
  }
  const byClass = new Map<string, FaultScore[]>();
  for (const s of scores) byClass.set(s.fault.faultClass, [...(byClass.get(s.fault.faultClass) ?? []), s]);
  const classes = [...byClass].map(([faultClass, list]): ClassScore => {
    const detected = list.filter((s) => s.detected);
    const ruleDetected = list.filter((s) => s.ruleDetected).length;
    const detect = detected.flatMap((s) => (s.detectIntervals === undefined ? [] : [s.detectIntervals]));
    const resolve = detected.flatMap((s) => (s.resolveIntervals === undefined ? [] : [s.resolveIntervals]));
    return {
      faultClass,
      faults: list.length,
      detected: detected.length,
      ruleDetected,
      recall: detected.length / list.length,
      labelAccuracy:
        ruleDetected > 0 ? list.filter((s) => s.detected && s.ruleDetected).length / ruleDetected : 0,
      falseAlerts: new Set(list.flatMap((s) => s.falseAlerts.map((a) => a.id))).size,
      detectMedian: median(detect),
      detectMax: detect.length > 0 ? Math.max(...detect) : undefined,
      resolveMedian: median(resolve),
      resolveMax: resolve.length > 0 ? Math.max(...resolve) : undefined,
      unresolved: detected.filter((s) => s.alert && s.alert.resolvedAt === null).length,
    };
  });
  return {
    classes: classes.sort((a, b) => a.faultClass.localeCompare(b.faultClass)),
    faults: scores,
    cleanFalseAlerts,
    cleanIntervals: Math.max(0, o.to - o.from - faultMs) / o.intervalMs,
  };
}

/** The per-class table the campaign prints. */
export function formatScore(score: CampaignScore): string {
  const f = (n: number | undefined, digits = 1) => (n === undefined ? '-' : n.toFixed(digits));
  const header = [
    'class',
    'faults',
    'recall',
    'labels ok',
    'false',
    'detect med',
    'detect max',
    'resolve med',
    'resolve max',
    'open',
  ];
  const rows = score.classes.map((c) => [
    c.faultClass,
    String(c.faults),
    `${Math.round(c.recall * 100)}%`,
    `${Math.round(c.labelAccuracy * 100)}%`,
    String(c.falseAlerts),
    f(c.detectMedian),
    f(c.detectMax),
    f(c.resolveMedian),
    f(c.resolveMax),
    String(c.unresolved),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] as number)).join('  ');
  return [
    line(header),
    ...rows.map(line),
    `clean stretches: ${f(score.cleanIntervals, 0)} intervals, ${score.cleanFalseAlerts.length} false alert(s)` +
      (score.cleanFalseAlerts.length > 0
        ? `: ${score.cleanFalseAlerts.map((a) => `${a.rule} ${JSON.stringify(a.labels)}`).join('; ')}`
        : ''),
    '(detect/resolve in probe intervals)',
  ].join('\n');
}
