// Shared by the local HTTP servers, so each reports its URL and shuts down the same way.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) and `host`; rejects if the port cannot be taken, e.g. EADDRINUSE. */
export const listen = async (server: Server, port: number, host = '127.0.0.1'): Promise<Listening> => {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Kept-alive client sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
};
