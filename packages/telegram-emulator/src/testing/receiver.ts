/** A webhook receiver on loopback for tests: records what Telegram delivered and answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivered {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface Receiver {
  readonly url: string;
  readonly received: Delivered[];
  /** Decides each answer: a status, or a status and a JSON body (a webhook reply). */
  answer: (delivered: Delivered, index: number) => number | { status: number; json: unknown } | Promise<number | { status: number; json: unknown }>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Delivered[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer: () => 200,
    close: () => new Promise((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const delivered: Delivered = { headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
      received.push(delivered);
      void Promise.resolve(receiver.answer(delivered, received.length - 1)).then((answer) => {
        if (typeof answer === 'number') response.writeHead(answer).end();
        else response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => { resolve(); }));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, { url: `http://127.0.0.1:${String(port)}/webhook/test` });
}
