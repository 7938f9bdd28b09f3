import { win32 } from 'node:path';
import type { ServiceLayout } from './paths.js';

export interface WinswOptions {
  layout: ServiceLayout;
  /** node.exe, absolute (the one running the installer: process.execPath). */
  nodePath: string;
  /** dist\main.js, absolute. */
  mainJs: string;
  stopTimeoutSec: number;
}

/** Text and attribute values are escaped; WinSW reads the file with .NET's XmlDocument. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * WinSW 2.x's configuration (https://github.com/winsw/winsw, docs/xml-config-file.md of v2.12.0).
 *
 * The stop: WinSW attaches to node.exe's console and sends CTRL_C_EVENT, which Node delivers as
 * SIGINT, the signal PayBridge stops on gracefully (src/service.ts); it waits `stoptimeout` for the
 * process to exit, then terminates it. `stopparentprocessfirst` sends that Ctrl+C to node.exe before
 * its children (a pinpad tool mid-operation), so PayBridge, not WinSW, decides when they end.
 *
 * The account: WinSW 2.x reads <domain> and <user> (3.x reads <username> instead) and passes
 * `NT SERVICE\PayBridge` with no password to CreateService, which makes a virtual account for this
 * service alone. <allowservicelogon> is left out: the account does not exist until the service does,
 * and the SCM grants a virtual account its logon right itself.
 */
export function winswXml(o: WinswOptions): string {
  const { layout } = o;
  for (const [name, p] of [['node.exe', o.nodePath], ['dist\\main.js', o.mainJs]] as const) {
    if (!/^[A-Za-z]:\\/.test(p)) throw new Error(`${name} must be an absolute Windows path (C:\\…), got ${p}`);
  }
  const [domain, user] = layout.account.split('\\');
  const e = xmlEscape;
  return [
    '<!-- Written by `paybridge service install`; `paybridge service uninstall` removes the service. -->',
    '<service>',
    `  <id>${e(layout.serviceName)}</id>`,
    '  <name>PayBridge</name>',
    '  <description>PayBridge payment gateway for the cash register (Click, Payme, Uzum, Humo, UzCard)</description>',
    `  <executable>${e(win32.normalize(o.nodePath))}</executable>`,
    // WinSW quotes each <argument> itself; a path with spaces must not carry quotes of its own.
    `  <argument>${e(win32.normalize(o.mainJs))}</argument>`,
    `  <env name="PAYBRIDGE_CONFIG" value="${e(layout.configFile)}"/>`,
    `  <env name="PAYBRIDGE_DATA_DIR" value="${e(layout.dataDir)}"/>`,
    `  <workingdirectory>${e(layout.dataDir)}</workingdirectory>`,
    '  <startmode>Automatic</startmode>',
    `  <stoptimeout>${o.stopTimeoutSec} sec</stoptimeout>`,
    '  <stopparentprocessfirst>true</stopparentprocessfirst>',
    // Restart after a crash, waiting longer each time; the count starts again after an hour of running.
    '  <onfailure action="restart" delay="5 sec"/>',
    '  <onfailure action="restart" delay="30 sec"/>',
    '  <onfailure action="restart" delay="120 sec"/>',
    '  <resetfailure>1 hour</resetfailure>',
    // PayBridge writes JSON lines to stdout; WinSW keeps them as PayBridge.out.log/.err.log, rolled by size.
    `  <logpath>${e(layout.logDir ?? layout.dataDir)}</logpath>`,
    '  <log mode="roll-by-size">',
    '    <sizeThreshold>10240</sizeThreshold>',
    '    <keepFiles>8</keepFiles>',
    '  </log>',
    '  <serviceaccount>',
    `    <domain>${e(domain ?? '')}</domain>`,
    `    <user>${e(user ?? '')}</user>`,
    '  </serviceaccount>',
    '</service>',
    '',
  ].join('\r\n');
}
