/** The labels of a matrix cell that an alert may carry; an alert touches the cell when every one it has matches. */
export function touchesCell(alert, cell) {
  const want = {
    target: cell.target,
    path: cell.path,
    protocol: cell.protocol,
    probe_region: cell.from,
    region: cell.to,
  };
  const labels = alert.labels;
  if (labels.target === undefined && labels.probe_region === undefined && labels.region === undefined)
    return false;
  return Object.entries(want).every(([k, v]) => labels[k] === undefined || labels[k] === v);
}
