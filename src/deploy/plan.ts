import { win32 } from 'node:path';
import type { ServiceLayout } from './paths.js';

/**
 * What `paybridge service install|uninstall` does, as data: the command prints it (--dry-run) or
 * carries it out, and tests read it without touching the system.
 */
export type Step =
  | { kind: 'account'; name: string; home: string; why: string }
  | { kind: 'mkdir'; path: string; mode?: number; owner?: string; why: string }
  | ({ kind: 'write'; path: string; content: string; mode?: number; owner?: string; why: string } & Kept)
  | ({ kind: 'copy'; from: string; path: string; mode?: number; owner?: string; keepExisting: boolean; why: string } & Kept)
  | { kind: 'remove'; path: string; why: string }
  | { kind: 'run'; argv: string[]; why: string; mayFail?: boolean; registers?: boolean };

/**
 * A file an install puts on disk, and what happens to it when a later step fails. Every file new in
 * that install is removed again — the configuration with the providers' secrets above all, which is
 * copied last, after every check and every step that can fail on its own — except the files of a
 * service already registered (`service`, after a `registers` step ran), which `service uninstall`
 * still needs.
 */
interface Kept {
  /** It holds the providers' secrets. */
  secret?: boolean;
  /** The registered service runs it or reads it. */
  service?: boolean;
}

export interface InstallInputs {
  layout: ServiceLayout;
  /** The service definition's text (systemdUnit or winswXml). */
  definition: string;
  /** The configuration copied to layout.configFile when none is there yet. */
  configSource: string;
  /** Whether configSource is the example (placeholders): then the service is registered, not started. */
  configIsExample: boolean;
  /** Windows: the WinSW executable given with --winsw. */
  winswSource?: string;
  /** Windows: the PayBridge installation, which the service account must be able to read. */
  installDir: string;
}

// Well-known SIDs, not names: "Administrators" is "Администраторы" on a Russian Windows.
const ADMINS = '*S-1-5-32-544';
const SYSTEM = '*S-1-5-18';

export function installPlan(i: InstallInputs): Step[] {
  const { layout: l } = i;
  if (l.platform === 'linux') {
    const group = `root:${l.account}`;
    const start = i.configIsExample ? ['enable'] : ['enable', '--now'];
    return [
      { kind: 'account', name: l.account, home: l.dataDir, why: 'a system account of its own, no login, no home but the data folder' },
      { kind: 'mkdir', path: l.configDir, mode: 0o750, owner: group, why: 'the configuration: root writes it, the service reads it' },
      { kind: 'copy', from: i.configSource, path: l.configFile, mode: 0o640, owner: group, keepExisting: true, secret: true, why: 'it holds the providers’ secrets: readable by root and the service only' },
      { kind: 'mkdir', path: l.dataDir, mode: 0o750, owner: `${l.account}:${l.account}`, why: 'the journal, written by the service alone' },
      { kind: 'write', path: l.definitionFile, content: i.definition, mode: 0o644, why: 'the systemd unit' },
      { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd reads the new unit' },
      { kind: 'run', argv: ['systemctl', ...start, l.serviceName], why: i.configIsExample ? 'started at boot; not now: fill in the configuration first' : 'started now and at boot' },
    ];
  }
  const wrapper = l.wrapperFile!;
  const serviceDir = wrapperDir(l);
  const account = l.account;
  return [
    { kind: 'mkdir', path: l.configDir, why: 'PayBridge’s folder under %ProgramData%' },
    { kind: 'mkdir', path: l.dataDir, why: 'the journal' },
    { kind: 'mkdir', path: l.logDir!, why: 'the service’s output, kept by WinSW' },
    { kind: 'mkdir', path: serviceDir, why: 'WinSW and its configuration' },
    { kind: 'copy', from: i.winswSource ?? '(--winsw is required)', path: wrapper, keepExisting: false, service: true, why: 'WinSW, named after the service so that it finds its XML' },
    { kind: 'write', path: l.definitionFile, content: i.definition, service: true, why: 'WinSW’s service definition' },
    { kind: 'run', argv: [wrapper, 'install'], registers: true, why: `registers the service, running as ${account}` },
    // The virtual account exists once the service does: only now can it be granted the folders.
    { kind: 'run', argv: ['icacls', l.dataDir, '/inheritance:r', '/grant:r', `${ADMINS}:(OI)(CI)F`, `${SYSTEM}:(OI)(CI)F`, `${account}:(OI)(CI)M`], why: 'the journal: the service and administrators only' },
    { kind: 'run', argv: ['icacls', l.logDir!, '/grant', `${account}:(OI)(CI)M`], why: 'the service writes its output' },
    { kind: 'run', argv: ['icacls', i.installDir, '/grant', `${account}:(OI)(CI)RX`], why: 'the service reads PayBridge’s program files' },
    // Last, once everything that can fail has run: the secrets, then at once their lock. A file new in
    // %ProgramData% inherits "Users: read"; if the lock fails, the copy is removed again.
    { kind: 'copy', from: i.configSource, path: l.configFile, keepExisting: true, secret: true, why: 'the configuration, with the providers’ secrets' },
    { kind: 'run', argv: ['icacls', l.configFile, '/inheritance:r', '/grant:r', `${ADMINS}:F`, `${SYSTEM}:F`, `${account}:R`], why: 'it holds the providers’ secrets: not readable by other users' },
    ...(i.configIsExample ? [] : [{ kind: 'run' as const, argv: [wrapper, 'start'], why: 'started now (and at every boot: startmode Automatic)' }]),
  ];
}

export function uninstallPlan(l: ServiceLayout): Step[] {
  if (l.platform === 'linux') {
    return [
      { kind: 'run', argv: ['systemctl', 'disable', '--now', l.serviceName], why: 'stopped gracefully (payments in flight finish) and no longer started at boot', mayFail: true },
      { kind: 'remove', path: l.definitionFile, why: 'the unit' },
      { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd forgets the unit' },
    ];
  }
  return [
    { kind: 'run', argv: [l.wrapperFile!, 'stop'], why: 'stopped gracefully (payments in flight finish)', mayFail: true },
    { kind: 'run', argv: [l.wrapperFile!, 'uninstall'], why: 'the service is removed' },
    { kind: 'remove', path: l.definitionFile, why: 'WinSW’s service definition' },
    { kind: 'remove', path: l.wrapperFile!, why: 'WinSW' },
  ];
}

export function wrapperDir(l: ServiceLayout): string {
  return win32.dirname(l.wrapperFile!);
}

/** What an uninstall leaves, said to the user: the journal is the shop's record of its payments. */
export function keptAfterUninstall(l: ServiceLayout): string[] {
  return [l.configFile, l.dataDir, ...(l.logDir ? [l.logDir] : []), ...(l.platform === 'linux' ? [`the account ${l.account}`] : [])];
}
