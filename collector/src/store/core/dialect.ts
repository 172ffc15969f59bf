import type { Store } from '../store.ts';

/**
 * A storage dialect as open-store.ts lists it: how it recognises its FLYPROBE_DATABASE_URL and opens a store
 * there. Adding a dialect is its folder (this entry, its Store, its SQL) plus one entry in that list.
 */
export interface StoreDialect<L extends { dialect: string }> {
  name: L['dialect'];
  /** How its URLs look, for the error naming what is accepted. */
  accepts: string;
  /** Its location when the URL is one of its own, else undefined; throws an Error naming the variable when malformed. */
  locate(databaseUrl: string): L | undefined;
  open(location: L): Promise<Store>;
}
