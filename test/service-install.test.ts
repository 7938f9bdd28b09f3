import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, win32 } from 'node:path';
import { test } from 'node:test';
import { serviceInstall, serviceUninstall } from '../src/cli/commands/service.js';
import { mainScript, programData, serviceLayout, stopTimeoutSeconds, STOP_MARGIN_SECONDS } from '../src/deploy/paths.js';
import { installPlan } from '../src/deploy/plan.js';
import { systemdUnit, systemdWord } from '../src/deploy/systemd.js';
import { winswXml } from '../src/deploy/winsw.js';

const repo = resolve(import.meta.dirname, '..');
// The systemd tests install for Linux under --root. On Linux the unit names this node and this dist/main.js
// (systemd-analyze verify checks that they exist); on Windows, Linux is another platform, whose paths
// the installer must be given (--node, --install-dir) and cannot check.
const onLinux = process.platform !== 'win32';
const linuxTarget = onLinux ? {} : { node: '/usr/bin/node', installDir: '/opt/paybridge' };
const nodeInUnit = onLinux ? process.execPath : '/usr/bin/node';
const mainJs = onLinux ? join(repo, 'dist', 'main.js') : '/opt/paybridge/dist/main.js';
/** A string matched as itself in a RegExp: a Windows path's backslashes and dots included. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `key=value` lines of one section of a unit, in order. */
function section(unit: string, name: string): [string, string][] {
  const body = unit.split(/^\[/m).find((s) => s.startsWith(`${name}]`));
  assert.ok(body, `[${name}] section`);
  return body
    .split('\n')
    .slice(1)
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

function verify(unitPath: string): { status: number | null; output: string } {
  // --man=no: the container has no man pages; nothing else here needs a running systemd.
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', unitPath], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

test('the systemd unit: a dedicated account, the conventional places, restart, a stop as long as the grace allows', () => {
  const layout = serviceLayout('linux', {});
  const unit = systemdUnit({ layout, nodePath: '/usr/bin/node', mainJs: '/opt/paybridge/dist/main.js', stopTimeoutSec: stopTimeoutSeconds(30_000), supplementaryGroups: ['dialout'] });
  const s = new Map(section(unit, 'Service'));
  assert.equal(s.get('User'), 'paybridge');
  assert.equal(s.get('SupplementaryGroups'), 'dialout');
  assert.equal(s.get('ExecStart'), '/usr/bin/node /opt/paybridge/dist/main.js');
  assert.equal(s.get('Restart'), 'on-failure');
  assert.equal(s.get('RestartPreventExitStatus'), '78');
  assert.equal(s.get('KillSignal'), 'SIGTERM');
  assert.equal(s.get('TimeoutStopSec'), `${30 + STOP_MARGIN_SECONDS}s`);
  assert.equal(s.get('StateDirectory'), 'paybridge');
  assert.equal(s.get('ProtectSystem'), 'strict');
  assert.equal(s.get('ProtectHome'), 'yes');
  assert.equal(s.has('PrivateDevices'), false, 'the serial ports must stay visible');
  const env = section(unit, 'Service').filter(([k]) => k === 'Environment').map(([, v]) => v);
  assert.deepEqual(env, ['PAYBRIDGE_CONFIG=/etc/paybridge/paybridge.yaml', 'PAYBRIDGE_DATA_DIR=/var/lib/paybridge']);
  assert.equal(new Map(section(unit, 'Install')).get('WantedBy'), 'multi-user.target');
  // a longer grace gives a longer stop
  assert.match(systemdUnit({ layout, nodePath: '/usr/bin/node', mainJs: '/o/dist/main.js', stopTimeoutSec: stopTimeoutSeconds(120_500), supplementaryGroups: [] }), /^TimeoutStopSec=136s$/m);
});

test('systemd words: specifiers, variables and spaces cannot change the command', () => {
  assert.equal(systemdWord('/usr/bin/node'), '/usr/bin/node');
  assert.equal(systemdWord('/opt/pay bridge/dist/main.js'), '"/opt/pay bridge/dist/main.js"');
  assert.equal(systemdWord('/opt/100%/x$HOME'), '/opt/100%%/x$$HOME');
  // a node from nvm under /home: the home folders stay readable rather than hidden
  const unit = systemdUnit({ layout: serviceLayout('linux', {}), nodePath: '/home/kassa/.nvm/versions/node/v24.1.0/bin/node', mainJs: '/opt/p/dist/main.js', stopTimeoutSec: 45, supplementaryGroups: [] });
  assert.match(unit, /^ProtectHome=read-only$/m);
  assert.doesNotMatch(unit, /SupplementaryGroups/);
  assert.throws(() => systemdUnit({ layout: serviceLayout('linux', {}), nodePath: 'node', mainJs: '/o/dist/main.js', stopTimeoutSec: 45, supplementaryGroups: [] }), /absolute/);
});

test('`service install --root` writes the unit and the configuration where systemd and PayBridge look, and systemd-analyze verify accepts the unit', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const config = join(root, 'prepared.yaml');
  writeFileSync(config, 'mode: sandbox\nserver:\n  shutdown_grace_ms: 60000\n');
  const lines: string[] = [];
  assert.equal(await serviceInstall({ root, platform: 'linux', config, ...linuxTarget }, (l) => lines.push(l)), 0);

  const unitPath = join(root, 'etc/systemd/system/paybridge.service');
  const unit = readFileSync(unitPath, 'utf8');
  // the real node binary and the real dist/main.js: verify checks that ExecStart's program exists
  assert.match(unit, new RegExp(`^ExecStart=${literally(nodeInUnit)} ${literally(mainJs)}$`, 'm'));
  assert.match(unit, /^TimeoutStopSec=75s$/m, 'the grace of the installed configuration (60 s) plus the margin');
  assert.equal(readFileSync(join(root, 'etc/paybridge/paybridge.yaml'), 'utf8'), readFileSync(config, 'utf8'));
  if (onLinux) {
    // Windows has no such modes (chmod sets the read-only flag at most): the systemd install is Linux's
    assert.equal(statSync(join(root, 'etc/paybridge/paybridge.yaml')).mode & 0o777, 0o640);
    assert.equal(statSync(join(root, 'etc/paybridge')).mode & 0o777, 0o750);
  }
  assert.ok(statSync(join(root, 'var/lib/paybridge')).isDirectory());
  assert.ok(lines.some((l) => l.includes('not run (--root): systemctl enable --now paybridge')), lines.join('\n'));

  if (!hasSystemdAnalyze) return t.skip('systemd-analyze is not installed here');
  assert.ok(existsSync(mainJs), 'dist/main.js is built (npm run build)');
  const ok = verify(unitPath);
  // verify exits 0 on unknown keys and bad values (it only warns), so its output must be empty too
  assert.deepEqual(ok, { status: 0, output: '' });
  // ...and the same check does fail on a unit with a mistake in it
  const broken = join(root, 'broken.service');
  writeFileSync(broken, unit.replace('Restart=on-failure', 'Restart=on-failur').replace('KillMode=mixed', 'KillMode=mixed\nTimeoutStopSecs=45s'));
  const bad = verify(broken);
  assert.match(bad.output, /Failed to parse service restart specifier/);
  assert.match(bad.output, /Unknown key 'TimeoutStopSecs'/);

  // uninstall removes the unit and keeps the configuration and the journal's folder
  const out: string[] = [];
  assert.equal(await serviceUninstall({ root, platform: 'linux' }, (l) => out.push(l)), 0);
  assert.equal(existsSync(unitPath), false);
  assert.ok(existsSync(join(root, 'etc/paybridge/paybridge.yaml')));
  assert.ok(existsSync(join(root, 'var/lib/paybridge')));
  assert.match(out.join('\n'), /kept: \/etc\/paybridge\/paybridge\.yaml, \/var\/lib\/paybridge/);
});

test('an installed configuration is never overwritten, and without one the service is not started', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const lines: string[] = [];
  await serviceInstall({ root, platform: 'linux', ...linuxTarget }, (l) => lines.push(l));
  const installed = join(root, 'etc/paybridge/paybridge.yaml');
  assert.equal(readFileSync(installed, 'utf8'), readFileSync(join(repo, 'paybridge.example.yaml'), 'utf8'));
  assert.ok(lines.some((l) => l.includes('not run (--root): systemctl enable paybridge')), 'enabled, not started');
  writeFileSync(installed, 'mode: sandbox\n');
  const other = join(root, 'other.yaml');
  writeFileSync(other, 'mode: production\n');
  const again: string[] = [];
  await serviceInstall({ root, platform: 'linux', config: other, ...linuxTarget }, (l) => again.push(l));
  assert.equal(readFileSync(installed, 'utf8'), 'mode: sandbox\n');
  assert.ok(again.some((l) => l.includes('exists and is kept')));
});

test('an invalid configuration is refused before anything is installed (exit 78)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const bad = join(root, 'bad.yaml');
  writeFileSync(bad, 'server:\n  shutdown_grace_ms: soon\n');
  await assert.rejects(serviceInstall({ root, platform: 'linux', config: bad, ...linuxTarget }, () => {}), (err: { code?: number }) => err.code === 78);
  assert.equal(existsSync(join(root, 'etc/systemd/system/paybridge.service')), false);
});

test('Windows paths: %ProgramData% from the environment, drive letter and backslashes throughout', () => {
  assert.equal(programData({ ProgramData: 'C:\\ProgramData' }), 'C:\\ProgramData');
  assert.equal(programData({ PROGRAMDATA: 'D:/Data/' }), 'D:\\Data');
  assert.equal(programData({}), 'C:\\ProgramData');
  assert.throws(() => programData({ ProgramData: 'ProgramData' }), /not a local absolute path/);
  assert.throws(() => programData({ ProgramData: '\\\\server\\share' }), /not a local absolute path/);
  const l = serviceLayout('win32', { ProgramData: 'E:\\PD' });
  for (const p of [l.configDir, l.configFile, l.dataDir, l.logDir!, l.definitionFile, l.wrapperFile!]) {
    assert.match(p, /^E:\\PD\\PayBridge(\\[^\\/]+)*$/, p);
  }
  assert.equal(l.configFile, 'E:\\PD\\PayBridge\\paybridge.yaml');
  assert.equal(win32.basename(l.definitionFile, '.xml'), win32.basename(l.wrapperFile!, '.exe'), 'WinSW finds the XML named as itself');
  assert.equal(mainScript('win32', 'C:\\Program Files\\PayBridge'), 'C:\\Program Files\\PayBridge\\dist\\main.js');
  assert.equal(mainScript('linux', '/opt/paybridge'), '/opt/paybridge/dist/main.js');
});

/** The elements of WinSW's XML as a flat list: enough structure to check it without a DOM library. */
function elements(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const out: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  for (const m of xml.matchAll(/<([a-zA-Z]+)((?:\s+[a-zA-Z]+="[^"]*")*)\s*(?:\/>|>([^<]*)<\/\1>)/g)) {
    const attrs = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z]+)="([^"]*)"/g)].map((a) => [a[1]!, unescape(a[2]!)]));
    out.push({ name: m[1]!, attrs, text: unescape(m[3] ?? '') });
  }
  return out;
}

test('the WinSW definition: node.exe with dist\\main.js, the configuration, restart on failure, a stop as long as the grace, a virtual account', () => {
  const layout = serviceLayout('win32', { ProgramData: 'C:\\ProgramData' });
  const xml = winswXml({ layout, nodePath: 'C:\\Program Files\\nodejs\\node.exe', mainJs: 'C:\\Program Files\\PayBridge & Co\\dist\\main.js', stopTimeoutSec: stopTimeoutSeconds(30_000) });
  assert.match(xml, /^(<!--[^\n]*-->\r\n)?<service>\r\n/);
  assert.match(xml, /<\/service>\r\n$/);
  // every element opened is closed: the file is well formed as far as WinSW's reader is concerned
  const opened = [...xml.matchAll(/<([a-zA-Z]+)[^>]*(?<!\/)>/g)].map((m) => m[1]);
  const closed = [...xml.matchAll(/<\/([a-zA-Z]+)>/g)].map((m) => m[1]);
  assert.deepEqual([...opened].sort(), [...closed].sort());
  const el = elements(xml);
  const one = (name: string) => {
    const found = el.filter((e) => e.name === name);
    assert.equal(found.length, 1, name);
    return found[0]!;
  };
  assert.equal(one('id').text, 'PayBridge');
  assert.equal(one('executable').text, 'C:\\Program Files\\nodejs\\node.exe');
  assert.equal(one('argument').text, 'C:\\Program Files\\PayBridge & Co\\dist\\main.js', 'escaped in the file, unquoted: WinSW quotes arguments itself');
  assert.deepEqual(
    el.filter((e) => e.name === 'env').map((e) => e.attrs),
    [
      { name: 'PAYBRIDGE_CONFIG', value: 'C:\\ProgramData\\PayBridge\\paybridge.yaml' },
      { name: 'PAYBRIDGE_DATA_DIR', value: 'C:\\ProgramData\\PayBridge\\data' },
    ],
  );
  assert.equal(one('workingdirectory').text, 'C:\\ProgramData\\PayBridge\\data');
  assert.equal(one('stoptimeout').text, '45 sec');
  assert.equal(one('stopparentprocessfirst').text, 'true');
  assert.equal(one('startmode').text, 'Automatic');
  const failures = el.filter((e) => e.name === 'onfailure');
  assert.ok(failures.length >= 1 && failures.every((f) => f.attrs.action === 'restart' && /^\d+ sec$/.test(f.attrs.delay ?? '')));
  assert.equal(one('resetfailure').text, '1 hour');
  assert.equal(one('logpath').text, 'C:\\ProgramData\\PayBridge\\logs');
  assert.match(xml, /<log mode="roll-by-size">\s*<sizeThreshold>\d+<\/sizeThreshold>\s*<keepFiles>\d+<\/keepFiles>\s*<\/log>/);
  assert.equal(one('domain').text, 'NT SERVICE');
  assert.equal(one('user').text, 'PayBridge');
  assert.equal(el.some((e) => e.name === 'password' || e.name === 'allowservicelogon'), false);
  assert.throws(() => winswXml({ layout, nodePath: '/usr/bin/node', mainJs: 'C:\\p\\dist\\main.js', stopTimeoutSec: 45 }), /absolute Windows path/);
});

test('the Windows install grants the virtual account its folders after registering it, and locks the configuration', () => {
  const layout = serviceLayout('win32', { ProgramData: 'C:\\ProgramData' });
  const steps = installPlan({ layout, definition: '<service/>', configSource: 'C:\\PayBridge\\my.yaml', configIsExample: false, winswSource: 'C:\\Downloads\\WinSW-x64.exe', installDir: 'C:\\PayBridge' });
  const runs = steps.filter((s) => s.kind === 'run').map((s) => (s as { argv: string[] }).argv);
  const install = runs.findIndex((a) => a[1] === 'install');
  const firstGrant = runs.findIndex((a) => a[0] === 'icacls');
  assert.ok(install >= 0 && install < firstGrant, 'the account exists only once the service does');
  assert.equal(runs.at(-1)!.join(' '), 'C:\\ProgramData\\PayBridge\\service\\PayBridge.exe start');
  const config = runs.find((a) => a[0] === 'icacls' && a[1] === layout.configFile)!;
  assert.deepEqual(config.slice(2), ['/inheritance:r', '/grant:r', '*S-1-5-32-544:F', '*S-1-5-18:F', 'NT SERVICE\\PayBridge:R']);
  for (const s of steps) if ('path' in s) assert.match(s.path, /^[A-Z]:\\[^/]*$/, s.path);
  // with the example configuration, registered but not started
  const example = installPlan({ layout, definition: '', configSource: 'C:\\PayBridge\\paybridge.example.yaml', configIsExample: true, winswSource: 'C:\\w.exe', installDir: 'C:\\PayBridge' });
  assert.equal(example.some((s) => s.kind === 'run' && s.argv[1] === 'start'), false);
});

/** Every file under a folder, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

/** A configuration with a provider secret in it, to look for afterwards. */
function secretConfig(dir: string): { file: string; secret: string } {
  const secret = `s3cr3t-${process.pid}-${Date.now()}`;
  const file = join(dir, 'shop.yaml');
  writeFileSync(file, `mode: sandbox\nclick:\n  secret_key: ${secret}\n`);
  return { file, secret };
}

// The Windows install for a Windows PC, carried out under --root (paths over there given, as packaging would).
const windowsTarget = { platform: 'win32', installDir: 'C:\\PayBridge', node: 'C:\\Program Files\\nodejs\\node.exe' } as const;

test('a Windows install without WinSW stops before it copies anything: no secret is left in %ProgramData%', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const root = join(work, 'root');
  const { file } = secretConfig(work);
  await assert.rejects(
    serviceInstall({ root, ...windowsTarget, config: file, winsw: join(work, 'no-such', 'WinSW-x64.exe') }, () => {}),
    (err: { code?: number; message?: string }) => err.code === 2 && /WinSW-x64\.exe does not exist; nothing was installed/.test(err.message ?? ''),
  );
  assert.deepEqual(filesUnder(root), [], 'nothing was written');
});

test('a Windows install whose icacls is refused removes the configuration it copied, and keeps the registered service’s files', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const root = join(work, 'root');
  const { file, secret } = secretConfig(work);
  const winsw = join(work, 'WinSW-x64.exe');
  writeFileSync(winsw, 'MZ (a stand-in for WinSW)');
  const layout = serviceLayout('win32', process.env);
  const ran: string[][] = [];
  const secretOnDisk = () => filesUnder(root).filter((f) => f.text.includes(secret));
  const lines: string[] = [];
  // Each system command as Windows would run it; icacls refuses the configuration (say: not elevated).
  const runCommand = (argv: string[]) => {
    ran.push(argv);
    if (argv[0] === 'icacls' && argv[1] === layout.configFile) {
      assert.equal(secretOnDisk().length, 1, 'the configuration is there when it is locked');
      throw Object.assign(new Error(`service: icacls ${argv[1]} exited with 5`), { code: 70 });
    }
  };
  await assert.rejects(serviceInstall({ root, ...windowsTarget, config: file, winsw, runCommand }, (l) => lines.push(l)), /icacls .* exited with 5/);
  assert.deepEqual(secretOnDisk(), [], 'no copy of the secrets is left');
  // the copy came after every other step that can fail: the service's registration and the other grants
  assert.deepEqual(ran.map((a) => `${win32.basename(a[0]!)} ${a[1]}`), [
    'PayBridge.exe install',
    `icacls ${layout.dataDir}`,
    `icacls ${layout.logDir}`,
    'icacls C:\\PayBridge',
    `icacls ${layout.configFile}`,
  ]);
  // the service is registered: its WinSW and XML stay, for `service uninstall`
  const kept = filesUnder(root).map((f) => win32.basename(f.path));
  assert.deepEqual(kept.sort(), ['PayBridge.exe', 'PayBridge.xml']);
  assert.ok(lines.some((l) => l.includes(`removed ${layout.configFile}`)), lines.join('\n'));

  // Refused before the registration (WinSW's install fails): nothing of this run is left at all.
  rmSync(root, { recursive: true, force: true });
  const refuse = (argv: string[]) => {
    if (argv[1] === 'install') throw new Error('service: PayBridge.exe install exited with 1');
  };
  await assert.rejects(serviceInstall({ root, ...windowsTarget, config: file, winsw, runCommand: refuse }, () => {}), /install exited with 1/);
  assert.deepEqual(filesUnder(root), []);
});

test('an installed configuration is kept when a later install fails', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'paybridge-service-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const root = join(work, 'root');
  const { file, secret } = secretConfig(work);
  const winsw = join(work, 'WinSW-x64.exe');
  writeFileSync(winsw, 'MZ');
  await serviceInstall({ root, ...windowsTarget, config: file, winsw }, () => {});
  const installed = filesUnder(root).filter((f) => f.text.includes(secret));
  assert.equal(installed.length, 1);
  await assert.rejects(
    serviceInstall({ root, ...windowsTarget, winsw, runCommand: (argv) => { if (argv[0] === 'icacls') throw new Error('icacls exited with 5'); } }, () => {}),
    /icacls exited with 5/,
  );
  assert.deepEqual(filesUnder(root).filter((f) => f.text.includes(secret)).map((f) => f.path), installed.map((f) => f.path), 'not made by that run: not removed');
});
