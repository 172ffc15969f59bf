import { paint, type Style } from '../output/ansi.ts';
import { renderTable } from '../output/table.ts';
import type { StepResult } from './apply.ts';
import type { Plan, PlanAction } from './plan.ts';

const ACTION_STYLE: Record<PlanAction['kind'], Style> = {
  create: 'green',
  keep: 'gray',
  replace: 'yellow',
  destroy: 'red',
};

export function renderPlan(plan: Plan, color: boolean): string {
  if (plan.actions.length === 0) return `app ${plan.app}: no Machines and nothing to do`;
  const rows = plan.actions.map((a) => {
    const m = a.kind === 'create' ? undefined : a.machine;
    const note =
      a.kind === 'replace' || a.kind === 'destroy' ? a.reason : a.kind === 'create' ? 'new Machine' : '';
    return [
      a.region,
      paint(a.kind, ACTION_STYLE[a.kind], color),
      m ? m.id : '-',
      m ? m.state : '-',
      a.kind === 'destroy' ? (m?.image ?? '') : (plan.image ?? ''),
      note,
    ];
  });
  return renderTable(['REGION', 'ACTION', 'MACHINE', 'STATE', 'IMAGE', 'NOTE'], rows, { color });
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
