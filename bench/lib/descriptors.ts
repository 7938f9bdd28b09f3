/**
 * A process's open file descriptors by kind, from /proc (Linux): what a soak counts to tell a leaked
 * descriptor from the sockets that come and go with the requests in flight.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Descriptors {
  total: number;
  /** Regular files and directories (the journal, its WAL and shared memory, the log). */
  files: number;
  pipes: number;
  /**
   * TCP connections in ESTABLISHED state: by the port at the other end for the process's own calls,
   * under `inbound` for connections made to its listening port.
   */
  tcp: Record<string, number>;
  /** Sockets that are not established TCP connections (listening, Unix, closing). */
  otherSockets: number;
  /** eventfd, epoll, timerfd, signalfd, inotify and the like. */
  other: number;
}

const ESTABLISHED = '01';

/** socket inode → what it is connected to (`inbound`, or the peer's port), for established TCP connections. */
function establishedPeers(pid: number, listeningPort: number | undefined): Map<string, string> {
  const peers = new Map<string, string>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== ESTABLISHED) continue;
      const port = (address: string) => Number.parseInt(address.split(':')[1]!, 16);
      peers.set(f[9]!, port(f[1]!) === listeningPort ? 'inbound' : String(port(f[2]!)));
    }
  }
  return peers;
}

export function descriptorsOf(pid: number, listeningPort?: number): Descriptors {
  const out: Descriptors = { total: 0, files: 0, pipes: 0, tcp: {}, otherSockets: 0, other: 0 };
  const peers = establishedPeers(pid, listeningPort);
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    out.total += 1;
    const socket = /^socket:\[(\d+)\]$/.exec(target);
    if (socket) {
      const peer = peers.get(socket[1]!);
      if (peer === undefined) out.otherSockets += 1;
      else out.tcp[peer] = (out.tcp[peer] ?? 0) + 1;
    } else if (target.startsWith('pipe:')) out.pipes += 1;
    else if (target.startsWith('/')) out.files += 1;
    else out.other += 1;
  }
  return out;
}

/** Established TCP connections in all, whatever their peer. */
export const establishedCount = (d: Descriptors): number => Object.values(d.tcp).reduce((a, b) => a + b, 0);
