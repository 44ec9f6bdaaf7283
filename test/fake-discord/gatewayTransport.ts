import { constants, createDeflate, type Deflate } from 'node:zlib';
import type { WebSocket } from 'ws';

/** How frames reach one client: plain JSON text, or zlib-stream (one deflate context, each frame sync-flushed). */
export interface Transport {
  send(payload: unknown): void;
  close(): void;
}

export function plainTransport(socket: WebSocket): Transport {
  return {
    send(payload) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
    },
    close() {},
  };
}

export function zlibStreamTransport(socket: WebSocket): Transport {
  const deflate: Deflate = createDeflate({ chunkSize: 65535 });
  let chain = Promise.resolve();
  return {
    send(payload) {
      const json = JSON.stringify(payload);
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const collect = (chunk: Buffer) => chunks.push(chunk);
            deflate.on('data', collect);
            deflate.write(json);
            deflate.flush(constants.Z_SYNC_FLUSH, () => {
              deflate.off('data', collect);
              if (socket.readyState === socket.OPEN) socket.send(Buffer.concat(chunks));
              resolve();
            });
          }),
      );
    },
    close() {
      deflate.close();
    },
  };
}
