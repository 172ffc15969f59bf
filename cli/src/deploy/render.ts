import { paint, type Style } from '../output/ansi.ts';
import { renderTable } from '../output/table.ts';
import type { StepResult } from './apply.ts';
import { foreignLine } from './ownership.ts';
import type { ActionKind, Plan } from './plan.ts';

const ACTION_STYLE: Record<ActionKind, Style> = {
  create: 'green',
  keep: 'gray',
  update: 'cyan',
  restart: 'yellow',
  replace: 'yellow',
  destroy: 'red',
};

/** The plan table (NOTE says why for every change), then one line per region with Machines flyprobe leaves alone. */
export function renderPlan(plan: Plan, color: boolean): string {
  const foreign = plan.foreign.map(foreignLine);
  if (plan.actions.length === 0) {
    return [`app ${plan.app}: no flyprobe Machines and nothing to do`, ...foreign].join('\n');
  }
  const rows = plan.actions.map((a) => {
    const m = a.kind === 'create' ? undefined : a.machine;
    const note = a.kind === 'create' ? 'new Machine' : a.kind === 'keep' ? '' : a.reason;
    return [
      a.region,
      paint(a.kind, ACTION_STYLE[a.kind], color),
      m ? m.id : '-',
      m ? m.state : '-',
      a.kind === 'destroy' ? (m?.image ?? '') : (plan.image ?? ''),
      note,
    ];
  });
  const table = renderTable(['REGION', 'ACTION', 'MACHINE', 'STATE', 'IMAGE', 'NOTE'], rows, { color });
  return [table, ...foreign].join('\n');
}

export function renderResults(results: StepResult[], color: boolean): string {
  const rows = results.map((r) => [
    r.region,
    paint(r.action, ACTION_STYLE[r.action], color),
    r.machineId ?? '-',
    r.ok ? paint('ok', 'green', color) : paint('error', 'red', color),
    r.message,
  ]);
  return renderTable(['REGION', 'ACTION', 'MACHINE', 'RESULT', 'DETAIL'], rows, { color });
}
