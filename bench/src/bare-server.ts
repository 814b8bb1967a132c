/**
 * The bare baselines' HTTP part: node:http on NOVA_HTTP_ADDRESS, /readyz answering 200, every
 * other request's whole body handed to `handle` (which answers), keep-alive as the services'.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';

export function serveBare(handle: (body: Buffer, response: ServerResponse) => void): Server {
  const [host, port] = (process.env.NOVA_HTTP_ADDRESS ?? '127.0.0.1:0').split(':');
  const server = createServer((request, response) => {
    if (request.url === '/readyz') {
      response.writeHead(200).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => { handle(Buffer.concat(chunks), response); });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(port), host);
  return server;
}
