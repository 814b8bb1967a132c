/**
 * The baseline of the payments benchmark: a bare node:http server that reads a callback's body,
 * parses it and answers 200. No signature check, no database, no metrics, no logging: what any
 * HTTP endpoint costs before it does anything with a payment.
 *
 * Env: NOVA_HTTP_ADDRESS (host:port). /readyz answers 200.
 */
import { createServer } from 'node:http';

const [host, port] = (process.env.NOVA_HTTP_ADDRESS ?? '127.0.0.1:0').split(':');

const server = createServer((request, response) => {
  if (request.url === '/readyz') {
    response.writeHead(200).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } catch {
      response.writeHead(400).end();
    }
  });
});
server.listen(Number(port), host);
process.on('SIGTERM', () => { server.close(() => process.exit(0)); });
