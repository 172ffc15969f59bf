/**
 * Numbers for the strings a detector stores in its windows (regions, protocols, probe ids, outcomes): the
 * same string always gets the same id. Its size is the number of distinct names seen, which the fleet bounds
 * (as it bounds the detectors' keyed state), not the number of results.
 */
export class Symbols<S extends string = string> {
  private readonly ids = new Map<S, number>();
  private readonly names: S[] = [];

  /** The id of `name`; NaN for undefined or null (see `RecordLayout`). */
  id(name: S | undefined | null): number {
    if (name === undefined || name === null) return Number.NaN;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** The name of an id from `id`; undefined for NaN. */
  name(id: number | undefined): S | undefined {
    return id === undefined || Number.isNaN(id) ? undefined : this.names[id];
  }
}
