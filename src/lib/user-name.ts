/**
 * Who this process runs as, for a message that says whose rights to fix; undefined where the
 * platform tells nothing (no USER or USERNAME, no uid).
 */
export function userName(): string | undefined {
  return process.env.USER ?? process.env.USERNAME ?? (process.getuid ? `uid ${process.getuid()}` : undefined);
}
