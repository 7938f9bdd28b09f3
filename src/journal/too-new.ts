import { VERSION } from '../version.js';

/**
 * A journal whose schema version is above every migration this PayBridge has: a newer PayBridge
 * migrated it. An older one must not write to it (it does not know what the newer columns and
 * tables mean), so it refuses to start, in one line, saying what to do (README, "Upgrading").
 */
export class JournalTooNewError extends Error {
  constructor(
    /** The journal, as it may be printed ("the journal <path>", a PostgreSQL URL without its password). */
    readonly journal: string,
    readonly version: number,
    readonly known: number,
    /** What going back means on this engine. */
    goBack: string,
  ) {
    super(
      `${journal} has schema version ${version}, newer than this PayBridge knows (${known}, PayBridge ${VERSION}): a newer PayBridge upgraded it; ` +
        `run that version or a newer one, or go back by ${goBack}`,
    );
    this.name = 'JournalTooNewError';
  }
}
