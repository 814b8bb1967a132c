/**
 * The emulator's HTTP face: `/bot<token>/<method>` (GET or POST; query, JSON, urlencoded or
 * multipart parameters) like api.telegram.org, and `/_emulator/...` for processes that drive it
 * from outside (the demo). Hung calls stay open until the client gives up or the emulator stops.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiFailure, notFound } from './api-failure.js';
import { answerCall, type CallAnswer, type CallContext } from './api-calls.js';
import { readParams } from './params.js';

const API_PATH = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/u;

export type ControlHandler = (request: IncomingMessage, url: URL, body: Buffer) => Promise<{ status: number; body: unknown }>;

export function createEmulatorServer(context: CallContext, control: ControlHandler, bodyLimitBytes: number): Server {
  return createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) writeJson(response, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${error instanceof Error ? error.message : String(error)}` });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const body = await readBody(request, bodyLimitBytes);
    if (body === undefined) {
      writeJson(response, 413, { ok: false, error_code: 413, description: 'Request Entity Too Large' });
      return;
    }
    if (url.pathname.startsWith('/_emulator/')) {
      const answer = await control(request, url, body).catch((error: unknown) => ({ status: 400, body: { error: error instanceof Error ? error.message : String(error) } }));
      writeJson(response, answer.status, answer.body);
      return;
    }
    const match = API_PATH.exec(url.pathname);
    if (match?.[1] === undefined || match[2] === undefined) {
      writeJson(response, 404, notFound().envelope);
      return;
    }
    const answer = await answerCall(context, decodeURIComponent(match[1]), match[2], () => readParams(request.headers['content-type'], body, url.searchParams), 'http')
      .catch((error: unknown): CallAnswer => {
        if (error instanceof ApiFailure) return { kind: 'json', status: error.errorCode, body: error.envelope };
        throw error;
      });
    if (answer.kind === 'hang') return;
    if (answer.kind === 'html') {
      response.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.body);
      return;
    }
    writeJson(response, answer.status, answer.body);
  }
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The request body, or undefined when it is over the limit. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
