/**
 * What `paybridge` exits with; scripts can trust these (docs/cli.md).
 */
export const EXIT = {
  OK: 0,
  /** PayBridge, the provider or the pinpad refused: a definite failure, nothing was charged or changed. */
  REFUSED: 1,
  /** Bad arguments. */
  USAGE: 2,
  /** The outcome is not known yet (pending/unknown): check with `paybridge status`, never retry blindly. */
  UNKNOWN: 3,
  /** PayBridge could not be reached. */
  UNREACHABLE: 4,
  /** PayBridge refused the token (HTTP 401). */
  UNAUTHORIZED: 5,
  /**
   * The journal's data cannot be used by this PayBridge: `start` on a journal a newer PayBridge upgraded,
   * `journal restore` of a file that is not a PayBridge journal, is damaged or is newer (sysexits EX_DATAERR).
   */
  DATAERR: 65,
  /** `start`: something PayBridge needs is not available — its port, its PostgreSQL journal (sysexits EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
  /** `start`: the data folder, the journal or the log file cannot be created or written (sysexits EX_CANTCREAT). */
  CANTCREAT: 73,
  /** `start`: another PayBridge uses this journal; starting again once it stopped will work (sysexits EX_TEMPFAIL). */
  TEMPFAIL: 75,
  /** The configuration is invalid (sysexits EX_CONFIG). */
  CONFIG: 78,
} as const;

export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
