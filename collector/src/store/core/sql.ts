/** A statement with `?` placeholders and its parameters, in order. */
export type Statement = readonly [sql: string, params: readonly unknown[]];

/**
 * How shared core logic runs SQL on a dialect: `?` placeholders (a dialect that numbers them rewrites them),
 * rows as objects by column name. A dialect's differences stay in the statement text it supplies.
 */
export interface Sql {
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs one statement; returns the rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs the statements in one transaction (all or none); returns each one's changed rows. */
  batch(statements: readonly Statement[]): Promise<number[]>;
}

/** `?` placeholders as `$1`, `$2`, ... (PostgreSQL). Statements here hold no `?` other than placeholders. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
