/**
 * One HTTP/1.1 request written byte for byte on a loopback socket: fetch and node:http refuse
 * what the fuzzer needs to send (raw `..` and bad percent-escapes in paths, Latin-1 and control
 * bytes in header values, a declared length that lies). Resolves with the answer's status code,
 * or with `undefined` when the server closed without one (the caller decides whether that is a
 * failure). Bounded by `timeoutMs`.
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** Sent as is: latin1 bytes of this string. */
  readonly path: string;
  /** Names and values sent as latin1 bytes, in order (duplicates allowed). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Content-Length to declare; default the body's length; `null` sends none. */
  readonly contentLength?: number | null;
}

export interface RawAnswer {
  readonly status: number | undefined;
  /** The socket error, if the server cut the connection (e.g. while the body was still being written). */
  readonly error?: string;
}

export async function sendRaw(address: string, request: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  const [host = '127.0.0.1', port = '0'] = address.split(':');
  const head = [`${request.method} ${request.path} HTTP/1.1`, `Host: ${address}`, 'Connection: close'];
  for (const [name, value] of request.headers) head.push(`${name}: ${value}`);
  const length = request.contentLength === undefined ? request.body.length : request.contentLength;
  if (length !== null) head.push(`Content-Length: ${String(length)}`);
  const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
  return new Promise<RawAnswer>((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match === null ? undefined : Number(match[1]), ...(error === undefined ? {} : { error }) });
    };
    const timer = setTimeout(() => {
      error ??= `no complete answer within ${String(timeoutMs)} ms`;
      finish();
    }, timeoutMs);
    const socket = connect({ host, port: Number(port) }, () => {
      // write, not end: a half-closed socket reads to some servers as a client that went away.
      // Except when the declared length promises more than is sent: then the end of the input is the point.
      if (length !== null && length > request.body.length) socket.end(bytes);
      else socket.write(bytes, () => undefined);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // The status line is all the fuzzer reads; the rest of a long answer is not waited for.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) finish();
    });
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error = cause.code ?? cause.message;
    });
    socket.on('close', finish);
  });
}
