import Database from 'better-sqlite3';
import type { DocChange, DocKind, UserDocs, UserDocStore } from './store-types.js';

interface Row {
  kind: string;
  doc: string;
}

const parse = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * User documents in a table of the sessions' SQLite file (one file to back up and to share between processes on
 * one host). Its own connection: the session store's is private to it, and WAL lets both work side by side.
 * Each update is one IMMEDIATE transaction, so another process writing the same file waits rather than
 * interleaving (within this process better-sqlite3 is synchronous, so nothing interleaves anyway).
 */
export class SqliteUserDocStore implements UserDocStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly stmt: {
    read: Database.Statement<[string], Row>;
    one: Database.Statement<[string, string], Row>;
    write: Database.Statement<[string, string, string, number]>;
  };

  /** `file` is the sessions' file, which the session store has created (directory and permissions included). */
  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS user_data (
        guid TEXT NOT NULL,
        kind TEXT NOT NULL,
        doc TEXT NOT NULL,
        updated INTEGER NOT NULL,
        PRIMARY KEY (guid, kind)
      ) WITHOUT ROWID;
    `);
    this.stmt = {
      read: this.db.prepare('SELECT kind, doc FROM user_data WHERE guid = ?'),
      one: this.db.prepare('SELECT kind, doc FROM user_data WHERE guid = ? AND kind = ?'),
      write: this.db.prepare('INSERT INTO user_data (guid, kind, doc, updated) VALUES (?, ?, ?, ?) ON CONFLICT (guid, kind) DO UPDATE SET doc = excluded.doc, updated = excluded.updated'),
    };
  }

  read(guid: string): Promise<UserDocs> {
    const docs: UserDocs = { settings: undefined, bookmarks: undefined };
    for (const row of this.stmt.read.all(guid)) if (row.kind === 'settings' || row.kind === 'bookmarks') docs[row.kind] = parse(row.doc);
    return Promise.resolve(docs);
  }

  update<T>(guid: string, kind: DocKind, change: DocChange<T>): Promise<T> {
    try {
      const run = this.db.transaction(() => {
        const { doc, result } = change(parse(this.stmt.one.get(guid, kind)?.doc));
        this.stmt.write.run(guid, kind, JSON.stringify(doc), Date.now());
        return result;
      });
      return Promise.resolve(run.immediate());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}
