/** A closed-loop HTTP load: `concurrency` keep-alive connections posting one request after another. */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  /** Milliseconds of each request, in completion order. */
  readonly latencies: number[];
  readonly seconds: number;
  /** Answers other than 200. */
  readonly failures: number;
}

function post(agent: Agent, url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.once('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** A request's body, or its body with headers of its own (a signature over that body). */
export type LoadBody = string | { readonly body: string; readonly headers: Readonly<Record<string, string>> };

/** Sends `count` requests, `body(n)` each, keeping `concurrency` in flight. */
export async function load(target: string, headers: Readonly<Record<string, string>>, body: (n: number) => LoadBody, count: number, concurrency: number): Promise<LoadResult> {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const n = next++;
      const made = body(n);
      const at = performance.now();
      const status = typeof made === 'string' ? await post(agent, url, headers, made) : await post(agent, url, { ...headers, ...made.headers }, made.body);
      latencies.push(performance.now() - at);
      if (status !== 200) failures++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, seconds, failures };
}
