import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../config/load.js';
import { mainScript, pathFor, serviceLayout, stopTimeoutSeconds, type ServiceLayout, type ServicePlatform } from '../../deploy/paths.js';
import { installPlan, keptAfterUninstall, uninstallPlan, type Step } from '../../deploy/plan.js';
import { systemdUnit } from '../../deploy/systemd.js';
import { winswXml } from '../../deploy/winsw.js';
import { CliExit, EXIT } from '../exit-codes.js';

export interface ServiceOptions {
  dryRun?: boolean;
  /** Files are written under this folder and no system command is run (tests, packaging). */
  root?: string;
  platform?: string;
  config?: string;
  winsw?: string;
  node?: string;
  installDir?: string;
  /**
   * Runs one system command of the plan (default: spawned, a non-zero exit refused with EXIT.REFUSED).
   * Packaging and tests pass their own, e.g. to see what a refused icacls leaves behind.
   */
  runCommand?: (argv: string[], mayFail?: boolean) => void;
}

/** The PayBridge installation this CLI belongs to: dist/cli/commands/ (or src/… under tsx) is three levels down. */
const ownInstallDir = () => resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function platformOf(o: ServiceOptions): ServicePlatform {
  const p = o.platform ?? (process.platform === 'win32' ? 'win32' : process.platform === 'linux' ? 'linux' : undefined);
  if (p !== 'linux' && p !== 'win32') throw new CliExit(EXIT.USAGE, `service: only Linux (systemd) and Windows (WinSW) are supported, not ${o.platform ?? process.platform}`);
  const foreign = p !== (process.platform === 'win32' ? 'win32' : 'linux');
  if (foreign && !o.dryRun && !o.root) throw new CliExit(EXIT.USAGE, `service: --platform ${p} on this computer only with --dry-run or --root (to look at what would be written)`);
  return p;
}

/** A path of the target system, moved under --root when one is given. */
function onDisk(platform: ServicePlatform, root: string | undefined, p: string): string {
  if (!root) return p;
  // C:\ProgramData\PayBridge under a root becomes <root>/C/ProgramData/PayBridge.
  const parts = platform === 'win32' ? p.replace(/^([A-Za-z]):/, '$1').split(/\\+/) : p.split('/');
  return resolve(root, ...parts.filter(Boolean));
}

interface Prepared {
  layout: ServiceLayout;
  definition: string;
  steps: Step[];
  notes: string[];
}

function prepareInstall(o: ServiceOptions): Prepared {
  const platform = platformOf(o);
  const path = pathFor(platform);
  const layout = serviceLayout(platform, process.env);
  const foreign = platform !== (process.platform === 'win32' ? 'win32' : 'linux');
  if (foreign && (!o.installDir || !o.node)) {
    throw new CliExit(EXIT.USAGE, `service: for --platform ${platform} give --install-dir and --node as paths on that computer`);
  }
  const installDir = o.installDir ?? ownInstallDir();
  const nodePath = o.node ?? process.execPath;
  const mainJs = mainScript(platform, installDir);
  const notes: string[] = [];
  if (!o.installDir && !existsSync(mainJs)) throw new CliExit(EXIT.REFUSED, `service: ${mainJs} does not exist: build PayBridge first (npm run build)`);

  // The configuration the service will read: one given, else the one already installed, else the example.
  const installed = onDisk(platform, o.root, layout.configFile);
  // For another platform (packaging under --root) the example is this checkout's: the install folder is a path over there.
  const example = foreign ? resolve(ownInstallDir(), 'paybridge.example.yaml') : path.join(installDir, 'paybridge.example.yaml');
  const configSource = o.config ? resolve(o.config) : existsSync(installed) ? installed : example;
  const configIsExample = !o.config && !existsSync(installed);
  if (o.config && existsSync(installed)) notes.push(`${layout.configFile} exists and is kept; ${configSource} was not copied over it`);
  if (configIsExample) notes.push(`no configuration yet: the example is copied to ${layout.configFile}; fill it in, check it (paybridge config check --config ${layout.configFile}), then start the service`);
  let graceMs: number;
  try {
    // For another platform the example named in the plan is a path over there: read this checkout's.
    const readable = existsSync(installed) ? installed : configIsExample ? resolve(ownInstallDir(), 'paybridge.example.yaml') : configSource;
    graceMs = loadConfig({ PAYBRIDGE_CONFIG: readable }).config.server.shutdown_grace_ms;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.CONFIG, err.message);
    throw err;
  }
  const stopTimeoutSec = stopTimeoutSeconds(graceMs);

  let definition: string;
  if (platform === 'linux') {
    const dialout = o.root || hasGroup('dialout');
    if (!dialout) notes.push('there is no dialout group here: the service gets no serial-port group (USB pinpads will not open)');
    definition = systemdUnit({ layout, nodePath, mainJs, stopTimeoutSec, supplementaryGroups: dialout ? ['dialout'] : [] });
  } else {
    if (!o.winsw && !o.dryRun) throw new CliExit(EXIT.USAGE, 'service install on Windows needs --winsw <path to WinSW-x64.exe> (https://github.com/winsw/winsw/releases, v2.12.0)');
    definition = winswXml({ layout, nodePath, mainJs, stopTimeoutSec });
  }
  notes.push(`stop timeout ${stopTimeoutSec} s: server.shutdown_grace_ms (${graceMs} ms) for payments in flight, plus time to close the journal`);
  const steps = installPlan({ layout, definition, configSource, configIsExample, winswSource: o.winsw && resolve(o.winsw), installDir });
  return { layout, definition, steps, notes };
}

function hasGroup(name: string): boolean {
  return spawnSync('getent', ['group', name], { stdio: 'ignore' }).status === 0;
}

function describe(step: Step): string {
  const mode = 'mode' in step && step.mode !== undefined ? ` mode ${step.mode.toString(8).padStart(4, '0')}` : '';
  const owner = 'owner' in step && step.owner ? ` owner ${step.owner}` : '';
  switch (step.kind) {
    case 'account':
      return `create system account ${step.name} if missing (useradd --system --user-group --home-dir ${step.home} --no-create-home --shell /usr/sbin/nologin)`;
    case 'mkdir':
      return `create folder ${step.path}${mode}${owner}`;
    case 'write':
      return `write ${step.path}${mode}${owner}`;
    case 'copy':
      return `copy ${step.from} to ${step.path}${step.keepExisting ? ' (kept if it exists)' : ''}${mode}${owner}`;
    case 'remove':
      return `remove ${step.path}`;
    case 'run':
      return step.argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
  }
}

function run(argv: string[], mayFail = false): void {
  const [file, ...args] = argv as [string, ...string[]];
  const r = spawnSync(file, args, { stdio: 'inherit' });
  if (r.error) throw new CliExit(EXIT.REFUSED, `service: cannot run ${file}: ${r.error.message}`);
  if (r.status !== 0 && !mayFail) throw new CliExit(EXIT.REFUSED, `service: ${describe({ kind: 'run', argv, why: '' })} exited with ${r.status ?? r.signal}`);
}

function chown(path: string, owner: string | undefined, root: string | undefined): void {
  if (!owner || root) return; // under --root the accounts are the target system's, not this one's
  const [user, group] = owner.split(':') as [string, string];
  const id = (flag: string, name: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  chownSync(path, user === 'root' ? 0 : id('-u', user), group === 'root' ? 0 : Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]));
}

function execute(platform: ServicePlatform, steps: Step[], o: ServiceOptions, log: (line: string) => void): void {
  const at = (p: string) => onDisk(platform, o.root, p);
  if (o.dryRun) {
    for (const step of steps) log(`  ${describe(step)}    # ${step.why}`);
    return;
  }
  // Checked before anything is done: a file to copy that is not there (WinSW, the configuration).
  for (const step of steps) {
    if (step.kind === 'copy' && !(step.keepExisting && existsSync(at(step.path))) && !existsSync(step.from)) {
      throw new CliExit(EXIT.USAGE, `service: ${step.from} does not exist; nothing was installed`);
    }
  }
  // What this run made, so that a failure part-way leaves no copy of the secrets behind.
  const made: { step: Step & { path: string }; dir: boolean }[] = [];
  let registered = false;
  try {
    for (const step of steps) {
      switch (step.kind) {
        case 'account':
          if (o.root) break;
          if (spawnSync('id', ['-u', step.name], { stdio: 'ignore' }).status !== 0) {
            run(['useradd', '--system', '--user-group', '--home-dir', step.home, '--no-create-home', '--shell', '/usr/sbin/nologin', step.name]);
          }
          break;
        case 'mkdir':
          if (!existsSync(at(step.path))) made.push({ step, dir: true });
          mkdirSync(at(step.path), { recursive: true });
          if (step.mode !== undefined && platform === 'linux') chmodSync(at(step.path), step.mode);
          chown(at(step.path), step.owner, o.root);
          break;
        case 'write':
          mkdirSync(dirname(at(step.path)), { recursive: true });
          if (!existsSync(at(step.path))) made.push({ step, dir: false });
          writeFileSync(at(step.path), step.content, step.mode !== undefined ? { mode: step.mode } : {});
          if (step.mode !== undefined && platform === 'linux') chmodSync(at(step.path), step.mode);
          chown(at(step.path), step.owner, o.root);
          break;
        case 'copy':
          if (step.keepExisting && existsSync(at(step.path))) break;
          mkdirSync(dirname(at(step.path)), { recursive: true });
          if (!existsSync(at(step.path))) made.push({ step, dir: false });
          copyFileSync(step.from, at(step.path));
          if (step.mode !== undefined && platform === 'linux') chmodSync(at(step.path), step.mode);
          chown(at(step.path), step.owner, o.root);
          break;
        case 'remove':
          rmSync(at(step.path), { force: true });
          break;
        case 'run':
          if (o.runCommand) o.runCommand(step.argv, step.mayFail);
          else if (o.root) log(`  not run (--root): ${describe(step)}`);
          else run(step.argv, step.mayFail);
          if (step.registers) registered = true;
          break;
      }
    }
  } catch (err) {
    undo(made, registered, at, log);
    throw err;
  }
}

/** After a failed install: the files and folders this run made are removed, newest first, the secrets above all. */
function undo(made: { step: Step & { path: string }; dir: boolean }[], registered: boolean, at: (p: string) => string, log: (line: string) => void): void {
  for (const { step, dir } of [...made].reverse()) {
    const kept = registered && (step.kind === 'copy' || step.kind === 'write') && step.service;
    if (kept) {
      log(`  kept ${step.path}: the service is registered (paybridge service uninstall removes it)`);
      continue;
    }
    try {
      if (dir) rmdirSync(at(step.path)); // only when empty: a folder with anything else in it stays
      else rmSync(at(step.path), { force: true });
      log(`  removed ${step.path}`);
    } catch {
      if (!dir) log(`  could not remove ${step.path}: remove it by hand`);
    }
  }
}

function requireAdmin(platform: ServicePlatform, o: ServiceOptions): void {
  if (o.dryRun || o.root || platform !== 'linux') return; // Windows: WinSW and icacls refuse, and say so, without elevation
  if (process.getuid?.() !== 0) throw new CliExit(EXIT.REFUSED, 'service: run it as root (sudo), it writes /etc and registers a systemd unit');
}

export async function serviceInstall(o: ServiceOptions, log: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<number> {
  const prepared = prepareInstall(o);
  const { layout } = prepared;
  requireAdmin(layout.platform, o);
  log(`${o.dryRun ? 'Would install' : 'Installing'} PayBridge as the ${layout.platform === 'linux' ? 'systemd' : 'Windows (WinSW)'} service ${layout.serviceName}, running as ${layout.account}:`);
  execute(layout.platform, prepared.steps, o, log);
  for (const note of prepared.notes) log(`note: ${note}`);
  if (o.dryRun) log(`\n${layout.definitionFile}:\n${prepared.definition}`);
  else log(`done. Configuration ${layout.configFile}, data ${layout.dataDir}${layout.platform === 'linux' ? ', logs: journalctl -u paybridge' : `, logs ${layout.logDir}`}`);
  return EXIT.OK;
}

export async function serviceUninstall(o: ServiceOptions, log: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<number> {
  const platform = platformOf(o);
  const layout = serviceLayout(platform, process.env);
  requireAdmin(platform, o);
  log(`${o.dryRun ? 'Would remove' : 'Removing'} the service ${layout.serviceName}:`);
  execute(platform, uninstallPlan(layout), o, log);
  log(`kept: ${keptAfterUninstall(layout).join(', ')} (the journal is the shop’s record of its payments; remove them by hand if you mean to)`);
  return EXIT.OK;
}

/** What the OS says about the service, then what PayBridge says about itself (/health). */
export async function serviceStatus(o: ServiceOptions & { url?: string }, log: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Promise<number> {
  const platform = platformOf(o);
  const layout = serviceLayout(platform, process.env);
  const argv = platform === 'linux' ? ['systemctl', 'status', '--no-pager', '--lines=5', layout.serviceName] : [layout.wrapperFile!, 'status'];
  const os = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  log(os.error ? `${argv[0]}: ${os.error.message}` : (os.stdout + os.stderr).trimEnd());

  let url = o.url;
  if (!url) {
    try {
      const { server } = loadConfig({ PAYBRIDGE_CONFIG: layout.configFile }).config;
      url = `http://${server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host}:${server.port}`;
    } catch {
      url = 'http://127.0.0.1:8080'; // the configuration is root's alone on Linux: the defaults then
    }
  }
  try {
    const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(5000) });
    log(`PayBridge ${url}/health: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`);
    return res.ok ? EXIT.OK : EXIT.REFUSED;
  } catch (err) {
    log(`PayBridge ${url}/health: not reachable (${(err as Error).message})`);
    return EXIT.UNREACHABLE;
  }
}
