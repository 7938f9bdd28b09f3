import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An emulator's ledger kept on disk, so that a sandbox restarted on the same data dir is the same
 * provider as before: it goes on numbering where it stopped (a new CLICK payment_id never repeats one
 * an earlier run handed out and PayBridge's journal still holds), and it still knows the earlier
 * payments, so they can be looked up, given back and fiscalised as at a real provider.
 *
 * The file is append-only JSON lines, one line per change with the record as it stands after it;
 * the last line of a key wins. Appending costs one small write per change, where rewriting the whole
 * ledger would grow with every payment. Loading replays the lines and writes the file anew, compacted
 * (a temporary file renamed over it, so a crash leaves the old or the new one, never half of one):
 * a line torn by a kill in mid-append is dropped there, before anything is appended after it. The
 * change a torn line carried was never answered, so the client learns of it as of any lost answer.
 *
 * Without a file (tests that start an emulator of their own) the ledger lives in memory only.
 */
export class LedgerFile<T> {
  constructor(
    private readonly file: string | undefined,
    private readonly keyOf: (record: T) => string,
  ) {}

  /** The records of earlier runs, each as its last change left it, in the order they were first written. */
  load(): T[] {
    if (!this.file) return [];
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(this.file), { recursive: true });
      return [];
    }
    const records = new Map<string, T>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let record: T;
      try {
        record = JSON.parse(line) as T;
      } catch {
        continue;
      }
      // Map.set keeps a key's first position: the ledger stays in the order the records were created.
      records.set(this.keyOf(record), record);
    }
    const compacted = [...records.values()].map((r) => `${JSON.stringify(r)}\n`).join('');
    writeFileSync(`${this.file}.tmp`, compacted);
    renameSync(`${this.file}.tmp`, this.file);
    return [...records.values()];
  }

  /** Records `record` as it now stands; synchronous, so it is on disk before the emulator answers. */
  put(record: T): void {
    if (!this.file) return;
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}
