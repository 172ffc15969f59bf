export interface Migration {
  /** Positive, unique within a component, applied in ascending order. */
  id: number;
  name: string;
  sql: string;
}

/**
 * The migrations still to apply, in id order, given the ones recorded (id -> name) in `schema_migrations`.
 * Throws on a bad or duplicate id, and on a recorded id under a new name (two branches reused an id: refuse
 * rather than skip silently).
 */
export function pendingMigrations(
  component: string,
  migrations: readonly Migration[],
  applied: ReadonlyMap<number, string>,
): Migration[] {
  if (!component) throw new Error('runMigrations: component must not be empty');
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.id) || m.id <= 0)
      throw new Error(`migration ${component}/${m.id}: id must be a positive integer`);
    if (seen.has(m.id)) throw new Error(`migration ${component}/${m.id}: duplicate id`);
    seen.add(m.id);
  }
  const out: Migration[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    const previous = applied.get(m.id);
    if (previous === undefined) {
      out.push(m);
      continue;
    }
    if (previous !== m.name)
      throw new Error(`migration ${component}/${m.id}: recorded as "${previous}" but now named "${m.name}"`);
  }
  return out;
}
