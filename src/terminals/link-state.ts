import { TerminalLinkError, type LinkState, type TerminalDriver } from '../payments/ports/terminal.js';

export type { LinkState };

/** Told when each driver operation ends: its name, when it started (performance.now()), and its error if it failed. */
export type DriverObserver = (operation: string, startedAt: number, error: unknown) => void;

/** The driver, with every operation reported to `observe` when it ends; answers and errors pass through unchanged. */
export function observeDriver(driver: TerminalDriver, observe: DriverObserver): TerminalDriver {
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'close' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        const startedAt = performance.now();
        try {
          const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          observe(property, startedAt, undefined);
          return answer;
        } catch (err) {
          observe(property, startedAt, err);
          throw err;
        }
      };
    },
  });
}

/**
 * The driver, with its link watched: a link error marks the terminal offline until it answers
 * again. Nothing is sent to find out: a probe would compete with the cashier's own operations.
 */
export function watchLink(driver: TerminalDriver): { driver: TerminalDriver; link: LinkState } {
  const link: LinkState = { online: true, lastAnswerAt: null, lastError: null };
  const watched = observeDriver(driver, (_operation, _startedAt, error) => {
    if (error === undefined) {
      link.online = true;
      link.lastAnswerAt = Date.now();
    } else if (error instanceof TerminalLinkError) {
      link.online = false;
      link.lastError = { at: Date.now(), message: error.message };
    }
  });
  return { driver: watched, link };
}
