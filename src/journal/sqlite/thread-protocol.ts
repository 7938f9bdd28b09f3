import { InvalidCursorError, JournalUnavailableError, StaleTransitionError, type Journal } from '../journal.js';
import { IllegalTransitionError } from '../../payments/state-machine.js';

export type JournalMethod = Exclude<keyof Journal, 'engine'>;

export interface JournalCall {
  id: number;
  method: JournalMethod;
  args: unknown[];
}

export type JournalReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: EncodedError };

export interface EncodedError {
  name: string;
  message: string;
  /** The fields its class carries (an SQLite error's code, a stale transition's statuses). */
  fields: Record<string, unknown>;
}

/** An error as it can cross to another thread: structured clone keeps neither its class nor its own fields. */
export function encodeError(err: unknown): EncodedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) if (value === undefined || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  return { name: err.name, message: err.message, fields };
}

/** The error again, as the class the journal's callers test for. */
export function decodeError(e: EncodedError): Error {
  const f = e.fields;
  let err: Error;
  if (e.name === 'StaleTransitionError') err = new StaleTransitionError(f.id as string, f.expected as never, f.actual as never);
  else if (e.name === 'InvalidCursorError') err = new InvalidCursorError();
  else if (e.name === 'JournalUnavailableError') err = new JournalUnavailableError(e.message);
  else if (e.name === 'IllegalTransitionError') err = new IllegalTransitionError(f.from as never, f.to as never);
  else {
    err = new Error(e.message);
    err.name = e.name;
  }
  return Object.assign(err, f);
}
