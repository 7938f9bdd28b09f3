import { posix, win32 } from 'node:path';

export type ServicePlatform = 'linux' | 'win32';

/** Where a PayBridge service keeps its things on one platform: each platform's own convention. */
export interface ServiceLayout {
  platform: ServicePlatform;
  /** The service's name for the OS (systemd unit `paybridge.service`, Windows service id `PayBridge`). */
  serviceName: string;
  /** The account the service runs as; created by the installer (Linux) or by Windows itself (a virtual account). */
  account: string;
  configDir: string;
  configFile: string;
  dataDir: string;
  /** Where the process's own output goes: journald on Linux (undefined), WinSW's log files on Windows. */
  logDir?: string;
  /** The service definition written: the systemd unit, or WinSW's XML. */
  definitionFile: string;
  /** Windows: the WinSW executable, renamed after the service so it finds its XML beside it. */
  wrapperFile?: string;
}

export const pathFor = (platform: ServicePlatform) => (platform === 'win32' ? win32 : posix);

/**
 * %ProgramData% as the environment gives it. Node's process.env is case-insensitive on Windows, a
 * plain object (a test's, or one made on Linux) is not, so both spellings are looked at.
 */
export function programData(env: Record<string, string | undefined>): string {
  const raw = env.ProgramData ?? env.PROGRAMDATA ?? env.ALLUSERSPROFILE ?? 'C:\\ProgramData';
  const dir = win32.normalize(raw);
  // A service's folders must be on a local drive the SCM sees at boot: refuse a relative or UNC path.
  if (!/^[A-Za-z]:\\/.test(dir)) throw new Error(`%ProgramData% is not a local absolute path: ${JSON.stringify(raw)}`);
  return dir.replace(/\\+$/, '');
}

export function serviceLayout(platform: ServicePlatform, env: Record<string, string | undefined> = process.env): ServiceLayout {
  if (platform === 'win32') {
    const base = win32.join(programData(env), 'PayBridge');
    const serviceDir = win32.join(base, 'service');
    return {
      platform,
      serviceName: 'PayBridge',
      // A virtual service account: made by the SCM for this service alone, no password to keep.
      account: 'NT SERVICE\\PayBridge',
      configDir: base,
      configFile: win32.join(base, 'paybridge.yaml'),
      dataDir: win32.join(base, 'data'),
      logDir: win32.join(base, 'logs'),
      definitionFile: win32.join(serviceDir, 'PayBridge.xml'),
      wrapperFile: win32.join(serviceDir, 'PayBridge.exe'),
    };
  }
  return {
    platform,
    serviceName: 'paybridge',
    account: 'paybridge',
    configDir: '/etc/paybridge',
    configFile: '/etc/paybridge/paybridge.yaml',
    dataDir: '/var/lib/paybridge',
    definitionFile: '/etc/systemd/system/paybridge.service',
  };
}

/**
 * The stop the OS allows: the configured grace for payments in flight, plus time to close the
 * journal and exit after it. A shorter stop would kill a payment the grace promised to let finish.
 */
export const STOP_MARGIN_SECONDS = 15;
export function stopTimeoutSeconds(shutdownGraceMs: number): number {
  return Math.ceil(shutdownGraceMs / 1000) + STOP_MARGIN_SECONDS;
}

/** Where the program is: `dist/main.js` of the installation the CLI runs from. */
export function mainScript(platform: ServicePlatform, installDir: string): string {
  return pathFor(platform).join(installDir, 'dist', 'main.js');
}
