import { posix } from 'node:path';
import type { ServiceLayout } from './paths.js';

export interface SystemdUnitOptions {
  layout: ServiceLayout;
  /** Absolute path of the node binary (the one running the installer). */
  nodePath: string;
  /** Absolute path of dist/main.js. */
  mainJs: string;
  stopTimeoutSec: number;
  /** Groups for device access: `dialout` owns /dev/ttyUSB* and /dev/ttyACM* on Debian, Ubuntu and Fedora. */
  supplementaryGroups: string[];
}

/**
 * One word of a systemd command line or assignment: `%` starts a specifier and `$` a variable there,
 * so both are doubled; a word with spaces or quotes is double-quoted with C-style escapes.
 */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const underHome = (p: string) => /^\/(home|root|run\/user)(\/|$)/.test(posix.normalize(p));

/** The unit `paybridge service install` writes to /etc/systemd/system/paybridge.service. */
export function systemdUnit(o: SystemdUnitOptions): string {
  for (const [name, p] of [['node', o.nodePath], ['dist/main.js', o.mainJs]] as const) {
    if (!posix.isAbsolute(p)) throw new Error(`${name} must be an absolute path for systemd, got ${p}`);
  }
  const { layout } = o;
  // ProtectHome=yes hides /home and /root: a PayBridge (or a node from nvm) installed there would not
  // start. Read-only keeps it reachable; the account must still be allowed to read it (docs/deployment.md).
  const protectHome = underHome(o.nodePath) || underHome(o.mainJs) ? 'read-only' : 'yes';
  const stateDir = posix.basename(layout.dataDir);
  // No ConfigurationDirectory=: systemd would own it by root alone, and the installer gives the folder
  // to root:paybridge so that the service can read its file.
  const lines = [
    '# Written by `paybridge service install`; `paybridge service uninstall` removes it.',
    `# Configuration: ${layout.configFile}; journal and data: ${layout.dataDir}; how to: docs/deployment.md.`,
    '[Unit]',
    'Description=PayBridge payment gateway for the cash register',
    // PostgreSQL at head office and the providers are reached over the network.
    'Wants=network-online.target',
    'After=network-online.target',
    // A crash loop stops after 5 starts in 5 minutes instead of hammering a pinpad or a provider.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${layout.account}`,
    `Group=${layout.account}`,
    ...(o.supplementaryGroups.length ? [`SupplementaryGroups=${o.supplementaryGroups.join(' ')}`] : []),
    `Environment=${systemdWord(`PAYBRIDGE_CONFIG=${layout.configFile}`)}`,
    // The data folder is the one place this unit lets PayBridge write (ProtectSystem=strict), so it
    // is set here rather than trusted to the file's data_dir.
    `Environment=${systemdWord(`PAYBRIDGE_DATA_DIR=${layout.dataDir}`)}`,
    `WorkingDirectory=${systemdWord(layout.dataDir)}`,
    `ExecStart=${systemdWord(o.nodePath)} ${systemdWord(o.mainJs)}`,
    'Restart=on-failure',
    'RestartSec=5s',
    // 78 is PayBridge's "the configuration is invalid": restarting will not fix the file.
    'RestartPreventExitStatus=78',
    // SIGTERM to PayBridge alone: it stops taking requests and lets payments in flight finish within
    // server.shutdown_grace_ms; a pinpad tool it runs as a child is left to finish its operation, and
    // only what is still running after TimeoutStopSec (the grace plus a margin) is killed.
    'KillSignal=SIGTERM',
    'KillMode=mixed',
    `TimeoutStopSec=${o.stopTimeoutSec}s`,
    `StateDirectory=${stateDir}`,
    'StateDirectoryMode=0750',
    'UMask=0027',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    `ProtectHome=${protectHome}`,
    'PrivateTmp=yes',
    // PrivateDevices would hide the pinpads' serial ports (/dev/ttyUSB0, /dev/ttyACM0): devices stay
    // visible, reachable only through the dialout group.
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    // PayBridge listens above 1024 and needs no privilege; V8 compiles code at run time, so
    // MemoryDenyWriteExecute is not set. Netlink is how libuv lists network interfaces.
    'CapabilityBoundingSet=',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}
