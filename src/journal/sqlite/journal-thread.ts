import { parentPort, workerData } from 'node:worker_threads';
import { SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
import { encodeError, type JournalCall, type JournalReply } from './thread-protocol.js';

/**
 * The SQLite journal's own thread. Every COMMIT waits for the disk (synchronous=FULL); on the main
 * thread that wait would hold up every other request. Calls that arrive in one turn of this
 * thread's loop still share one COMMIT through the journal's group commit.
 */
const port = parentPort!;
let journal: SqliteJournal;
try {
  journal = new SqliteJournal(workerData as SqliteJournalOptions);
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: encodeError(err) });
  port.close();
}

port.on('message', (call: JournalCall) => {
  const method = journal[call.method] as (...args: unknown[]) => Promise<unknown>;
  Promise.resolve()
    .then(() => method.apply(journal, call.args))
    .then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies JournalReply),
      (err: unknown) => port.postMessage({ id: call.id, ok: false, error: encodeError(err) } satisfies JournalReply),
    )
    .finally(() => {
      if (call.method === 'close') port.close();
    });
});
