/**
 * The baseline of the payments benchmark: a bare node:http server that reads a callback's body,
 * parses it and answers 200. No signature check, no database, no metrics, no logging: what any
 * HTTP endpoint costs before it does anything with a payment.
 *
 * Env: NOVA_HTTP_ADDRESS (host:port). /readyz answers 200.
 */
import { serveBare } from './bare-server.js';

const server = serveBare((body, response) => {
  try {
    JSON.parse(body.toString('utf8'));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  } catch {
    response.writeHead(400).end();
  }
});
process.on('SIGTERM', () => { server.close(() => process.exit(0)); });
