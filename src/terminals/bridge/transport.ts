import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Where a bridge terminal is: a TCP address, or a serial device. */
export type BridgeEndpoint = { transport: 'tcp'; host: string; port: number } | { transport: 'serial'; path: string; baudRate: number };

/** Opens the byte stream to the terminal; rejects when the link cannot be opened at all. */
export async function openBridgeLink(endpoint: BridgeEndpoint, connectTimeoutMs: number): Promise<Duplex> {
  if (endpoint.transport === 'tcp') {
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: endpoint.host, port: endpoint.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${endpoint.host}:${endpoint.port} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }
  // serialport and its native binding load only for a serial terminal: a TCP-only or QR-only
  // PayBridge starts faster and smaller without them.
  const { SerialPort } = await import('serialport');
  return new Promise<Duplex>((resolve, reject) => {
    const port = new SerialPort({ path: endpoint.path, baudRate: endpoint.baudRate, autoOpen: false });
    port.open((err) => (err ? reject(err) : resolve(port)));
  });
}

export function describeEndpoint(endpoint: BridgeEndpoint): string {
  return endpoint.transport === 'tcp' ? `tcp://${endpoint.host}:${endpoint.port}` : `serial:${endpoint.path}@${endpoint.baudRate}`;
}
