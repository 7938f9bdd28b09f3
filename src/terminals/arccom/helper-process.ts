import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { TerminalLinkError } from '../../payments/ports/terminal.js';

/**
 * The helper script. Resolved against the source tree from both src/ and dist/ (both sit three
 * levels below the package root): it is plain JavaScript that tsc does not copy, and a 32-bit Node
 * on a till must be able to run it as it is.
 */
export const HELPER_SCRIPT = fileURLToPath(new URL('../../../src/terminals/arccom/helper.mjs', import.meta.url));

export interface HelperOptions {
  /** The Node that runs the helper: a 32-bit one on Windows, where arccom.dll is 32-bit. */
  node: string;
  script: string;
  library: string;
  convention: 'cdecl' | 'stdcall';
  /** The library reads cashreg.ini from its working directory, once, when it is loaded. */
  workDir: string;
  /** How long the helper may take to start and load the library. */
  startMs: number;
  /**
   * After an operation's answer was given up on, how long the library call may still run before the
   * helper is killed: the pinpad may still be in the customer's dialogue, and a new call meanwhile
   * would only meet a busy pinpad.
   */
  abandonMs: number;
}

export interface RunRequest {
  op: number;
  set: Record<string, string>;
  get: string[];
}

export interface RunReply {
  ret: number;
  /** Raw bytes of each value asked for; null where the library has none. */
  got: Record<string, Buffer | null>;
}

interface Pending {
  id: number;
  resolve: (reply: RunReply) => void;
  reject: (err: Error) => void;
}

/**
 * One helper process speaking JSON lines over stdio, one request at a time, started on first use
 * and again after it died or was killed.
 */
export class HelperProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private starting: Promise<ChildProcessWithoutNullStreams> | undefined;
  private pending: Pending | undefined;
  /** An operation given up on whose library call may still be running. */
  private abandoned: { id: number; timer: NodeJS.Timeout } | undefined;
  private nextId = 1;
  private stderr = '';
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: HelperOptions) {}

  /** The helper's process id, for the tests that kill it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<ChildProcessWithoutNullStreams> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= new Promise<ChildProcessWithoutNullStreams>((resolve, reject) => {
      const o = this.options;
      const child = spawn(o.node, [o.script, JSON.stringify({ library: o.library, convention: o.convention })], {
        cwd: o.workDir,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      this.stderr = '';
      let ready = false;
      const fail = (why: string) => {
        clearTimeout(timer);
        this.starting = undefined;
        child.kill('SIGKILL');
        reject(new TerminalLinkError(`the arccom helper did not start (${o.node} ${o.script}): ${why}`, false));
      };
      const timer = setTimeout(() => fail(`no answer within ${o.startMs} ms`), o.startMs);
      // A write to a helper that just died fails here; its exit is what reports it.
      child.stdin.on('error', () => undefined);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        this.stderr = (this.stderr + chunk).slice(-2000);
      });
      child.once('error', (err) => fail(err.message));
      child.once('exit', (code, signal) => {
        if (!ready) fail(`exited (${signal ?? String(code)}) ${this.stderr.trim()}`);
        this.gone(child, `the arccom helper exited (${signal ?? String(code)}) ${this.stderr.trim()}`.trim());
      });
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        let message: { ready?: boolean; id?: number; ret?: number; got?: Record<string, string | null>; error?: string };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          return;
        }
        if (message.ready && !ready) {
          ready = true;
          clearTimeout(timer);
          this.child = child;
          this.starting = undefined;
          resolve(child);
          return;
        }
        this.answer(message);
      });
    });
    return this.starting;
  }

  private answer(message: { id?: number; ret?: number; got?: Record<string, string | null>; error?: string }): void {
    if (this.abandoned && message.id === this.abandoned.id) {
      // The late answer of an operation already reported lost: its outcome is settled by asking the
      // pinpad (print-last), never by this reply, which nobody waits for any more.
      clearTimeout(this.abandoned.timer);
      this.abandoned = undefined;
      return;
    }
    const p = this.pending;
    if (!p || message.id !== p.id) return;
    this.pending = undefined;
    if (message.error !== undefined) {
      p.reject(new TerminalLinkError(`the arccom helper failed: ${message.error}`, true));
      return;
    }
    const got: Record<string, Buffer | null> = {};
    for (const [key, value] of Object.entries(message.got ?? {})) got[key] = value === null ? null : Buffer.from(value, 'base64');
    p.resolve({ ret: message.ret ?? 0, got });
  }

  private gone(child: ChildProcessWithoutNullStreams, why: string): void {
    if (this.child === child) this.child = undefined;
    if (this.abandoned) {
      clearTimeout(this.abandoned.timer);
      this.abandoned = undefined;
    }
    const p = this.pending;
    this.pending = undefined;
    // The request was written before the process died: the library may have reached the pinpad.
    p?.reject(new TerminalLinkError(`${why}, during an operation`, true));
  }

  /** Starts the helper and loads the library ahead of the first operation (bounded by the start timeout alone). */
  async ready(): Promise<void> {
    await this.start();
  }

  /** Runs one operation; `timeoutMs` bounds the wait for its answer. */
  run(request: RunRequest, timeoutMs: number): Promise<RunReply> {
    const next = this.chain.then(() => this.runNow(request, timeoutMs));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runNow(request: RunRequest, timeoutMs: number): Promise<RunReply> {
    if (this.abandoned) {
      throw new TerminalLinkError('the arccom library is still running an operation whose answer was given up on (the pinpad is busy); nothing was sent', false);
    }
    const child = await this.start();
    const id = this.nextId++;
    return new Promise<RunReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        const kill = setTimeout(() => child.kill('SIGKILL'), this.options.abandonMs);
        kill.unref();
        this.abandoned = { id, timer: kill };
        reject(new TerminalLinkError(`the arccom library did not answer within ${timeoutMs} ms`, true));
      }, timeoutMs);
      this.pending = {
        id,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }

  /** Ends the helper: its stdin closed (it frees the handle and exits), killed if it does not. */
  async close(): Promise<void> {
    const child = this.child ?? (await this.starting?.catch(() => undefined));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), this.abandoned ? 0 : this.options.startMs);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin.end();
    });
  }
}
