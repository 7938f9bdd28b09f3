import { Worker } from 'node:worker_threads';
import { JournalUnavailableError, type Journal } from '../journal.js';
import type { SqliteJournalOptions } from './sqlite-journal.js';
import { decodeError, type EncodedError, type JournalCall, type JournalMethod, type JournalReply } from './thread-protocol.js';

const METHODS = [
  'insert',
  'transition',
  'get',
  'findByProviderPaymentId',
  'insertHandoff',
  'getHandoff',
  'updateHandoff',
  'dueHandoffs',
  'findCardPayment',
  'hasCardOperationAfter',
  'findCardOperationByRrn',
  'findCardPaymentByRrn',
  'shiftTotals',
  'recordShiftClose',
  'isShiftClosed',
  'findRecentQrPayment',
  'insertQrPayment',
  'listUnsettled',
  'claimUnsettled',
  'releaseClaim',
  'claimIdempotencyKey',
  'getIdempotencyKey',
  'completeIdempotencyKey',
  'linkIdempotencyKey',
  'releaseIdempotencyKey',
  'purgeIdempotencyKeys',
  'list',
  'periodTotals',
  'listShiftCloses',
  'latestShift',
  'openCounts',
  'health',
  'close',
] as const satisfies readonly JournalMethod[];
// Fails to compile when the Journal interface gains a method this list does not forward.
const everyMethod: [Exclude<JournalMethod, (typeof METHODS)[number]>] extends [never] ? true : never = true;
void everyMethod;

/** The thread's entry: compiled JavaScript, or the TypeScript source when PayBridge runs from src/ (tests, tsx). */
function startThread(options: SqliteJournalOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './journal-thread.ts' : './journal-thread.js', import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: options });
  // A worker does not inherit the parent's `--import tsx` on Node 20: it registers tsx itself.
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, {
    eval: true,
    workerData: options,
  });
}

/**
 * The SQLite journal run on a thread of its own (journal-thread.ts), so that the disk's wait in
 * every durable COMMIT never stalls the event loop serving the tills. The same SqliteJournal does
 * the work; this side only forwards calls and gives back results and errors as their own classes.
 * If the thread dies, every call fails with JournalUnavailableError: nothing starts unjournaled.
 */
export async function openThreadedSqliteJournal(options: SqliteJournalOptions): Promise<Journal> {
  const worker = startThread(options);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let gone: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    worker.once('error', onError);
    worker.once('message', (first: { ready: boolean; error?: EncodedError }) => {
      worker.off('error', onError);
      if (first.ready) resolve();
      else reject(decodeError(first.error!));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  const fail = (err: Error) => {
    gone ??= err;
    for (const { reject } of pending.values()) reject(gone);
    pending.clear();
  };
  worker.on('message', (reply: JournalReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(decodeError(reply.error));
  });
  worker.on('error', (err) => fail(new JournalUnavailableError(`the journal's thread failed: ${err.message}`)));
  worker.on('exit', (code) => fail(new JournalUnavailableError(`the journal's thread has stopped (exit code ${code})`)));

  const call = (method: JournalMethod, args: unknown[]): Promise<unknown> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies JournalCall);
    });
  };

  const journal = { engine: 'sqlite' } as Record<string, unknown>;
  for (const method of METHODS) journal[method] = (...args: unknown[]) => call(method, args);
  // Health is an answer, not a failure: a journal whose thread is gone is reported unusable.
  journal.health = async () => (gone ? { engine: 'sqlite', ok: false, detail: gone.message } : call('health', []));
  let closing: Promise<void> | undefined;
  journal.close = () =>
    (closing ??= (async () => {
      if (!gone) await call('close', []);
      fail(new JournalUnavailableError('the journal is closed'));
      await worker.terminate();
    })());
  return journal as unknown as Journal;
}
