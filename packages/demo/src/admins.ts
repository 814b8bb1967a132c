/**
 * Stage 8's traffic: admins using the panel through the ingress, as people in a browser would.
 * Each signs in once with Telegram Login Widget data (signed with the main bot's token, as
 * Telegram signs it), then browses pages that ask other contexts over the bus (a search, a user's
 * page, the numbers), so a side that cannot reach them answers 503 and the analysis sees it.
 *
 * The session was made by whichever side served the sign-in and must hold on both (they share
 * the admins and the session key): a page answered with a redirect to sign-in counts as an admin
 * signed out by the move, which the stage must never do.
 */
import { signTelegramLogin } from '@nova/admin-panel/domain';
import type { AdminCounts } from './snapshot.js';

/** A page that takes longer is given up on and counted as failed (a person would reload). */
const PAGE_TIMEOUT_MS = 30_000;
/** Pages in flight per admin at most: a slow side makes the admins wait, not pile up requests. */
const IN_FLIGHT_PER_ADMIN = 4;
/** How many failures' reasons the counts keep. */
const FAILURES_KEPT = 5;
/** Error codes of a connection that closed before its answer began (undici's, and the socket's). */
const CLOSED_BEFORE_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * Whether `error` is a page's connection closing before any answer: a kept-alive connection the
 * server closed just as the request went out on it (undici reuses such a one: nodejs/undici#3492).
 * A browser sends the page again by itself then (a GET is safe to repeat), so the admins do too.
 */
function closedBeforeAnswer(error: unknown): boolean {
  const code = field(field(error, 'cause'), 'code');
  return typeof code === 'string' && CLOSED_BEFORE_ANSWER.has(code);
}

/** `value[name]` when value is an object; read by shape, not instanceof (errors cross realms under jest). */
function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;
}

function describeError(error: unknown): string {
  const message = field(error, 'message');
  const cause = field(field(error, 'cause'), 'message');
  return `${typeof message === 'string' ? message : String(error)}${typeof cause === 'string' ? `: ${cause}` : ''}`;
}

export interface LookedUp {
  readonly id: number;
  readonly name: string;
}

interface Admin {
  readonly id: number;
  cookie?: string;
}

/** A Login Widget redirect to `base`'s panel for `telegramId`, signed with `botToken`, dated now. */
export function loginUrl(base: string, botToken: string, telegramId: number, firstName: string): string {
  const fields = { id: String(telegramId), first_name: firstName, auth_date: String(Math.floor(Date.now() / 1000)) };
  return `${base}/admin/auth/telegram?${new URLSearchParams({ ...fields, hash: signTelegramLogin(fields, botToken) }).toString()}`;
}

export class SimulatedAdmins {
  private readonly admins: Admin[];
  private readonly counts_ = { pages: 0, served: 0, failed: 0, signedOut: 0, other: 0, reloaded: 0 };
  private readonly failures: string[] = [];
  private inFlight = 0;
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `rate`: pages per second, all admins together. */
  constructor(private readonly base: string, private readonly botToken: string, adminIds: readonly number[], private readonly rate: number, private readonly lookups: readonly LookedUp[]) {
    this.admins = adminIds.map((id) => ({ id }));
  }

  /** Each admin signs in through the ingress (the monolith serves /admin/ until the stage moves it). */
  async signIn(): Promise<void> {
    for (const admin of this.admins) {
      const answer = await fetch(loginUrl(this.base, this.botToken, admin.id, `Admin ${String(admin.id)}`), { redirect: 'manual', signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) });
      const cookie = answer.headers.get('set-cookie')?.split(';')[0];
      if (answer.status !== 303 || cookie === undefined) throw new Error(`admin ${String(admin.id)} could not sign in to the panel: ${String(answer.status)} ${await answer.text()}`);
      admin.cookie = cookie;
    }
  }

  /**
   * Waits (bounded) until the users context knows every person the admins will look up. A child
   * bot answers before the users context has recorded its writer (issue 20: the reply no longer
   * waits for the registration), so a user's page asked at once could be a 404 for someone who
   * exists a moment later, and the run would count it as an unexpected answer. Browsing starts
   * from what the users context holds, as a person browsing the panel would.
   */
  async waitUntilKnown(timeoutMs = 60_000): Promise<void> {
    const cookie = this.admins[0]?.cookie;
    if (cookie === undefined) return;
    const deadline = Date.now() + timeoutMs;
    for (const person of this.lookups) {
      while (Date.now() < deadline) {
        const status = await fetch(`${this.base}/admin/users/${String(person.id)}`, { redirect: 'manual', headers: { cookie }, signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) })
          .then(async (answer) => { await answer.arrayBuffer(); return answer.status; }, () => undefined);
        // Anything but a 404 (or no answer) is for the counted browsing to judge.
        if (status !== undefined && status !== 404) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  start(): void {
    this.timer = setInterval(() => { this.tick(); }, 1000 / this.rate);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits for the pages still loading, up to `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  counts(): AdminCounts {
    return { ...this.counts_, failures: [...this.failures] };
  }

  /** The pages an admin looks at, in turn: each asks at least one other context over the bus. */
  private nextPath(): string {
    const turn = this.turn++;
    const person = this.lookups[Math.floor(turn / 3) % Math.max(1, this.lookups.length)];
    if (person === undefined || turn % 3 === 2) return '/admin/';
    return turn % 3 === 0 ? `/admin/users?q=${encodeURIComponent(person.name)}` : `/admin/users/${String(person.id)}`;
  }

  private tick(): void {
    const admin = this.admins[this.turn % this.admins.length];
    if (admin?.cookie === undefined || this.inFlight >= IN_FLIGHT_PER_ADMIN * this.admins.length) return;
    const path = this.nextPath();
    this.inFlight++;
    this.counts_.pages++;
    void this.load(path, admin.cookie).finally(() => { this.inFlight--; });
  }

  private async load(path: string, cookie: string): Promise<void> {
    try {
      const answer = await this.fetchPage(path, cookie);
      if (answer.status === 200) this.counts_.served++;
      else if (answer.status >= 300 && answer.status < 400 && (answer.headers.get('location') ?? '').startsWith('/admin/sign-in')) this.counts_.signedOut++;
      else if (answer.status >= 500) this.fail(`${String(answer.status)} ${path}`);
      else {
        this.counts_.other++;
        // Named with the failures (not counted as failed): a report that says only "1 other answers" cannot be read.
        if (this.failures.length < FAILURES_KEPT) this.failures.push(`${String(answer.status)} ${path} (not a failure, but not expected)`);
      }
    } catch (error) {
      this.fail(`${path}: ${describeError(error)}`);
    }
  }

  /** One page, its body read; sent once more if its connection closed before any answer began. */
  private async fetchPage(path: string, cookie: string): Promise<Response> {
    const send = (): Promise<Response> => fetch(`${this.base}${path}`, { redirect: 'manual', headers: { cookie }, signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) });
    let answer: Response;
    try {
      answer = await send();
    } catch (error) {
      if (!closedBeforeAnswer(error)) throw error;
      this.counts_.reloaded++;
      answer = await send();
    }
    await answer.arrayBuffer();
    return answer;
  }

  private fail(reason: string): void {
    this.counts_.failed++;
    if (this.failures.length < FAILURES_KEPT) this.failures.push(reason);
  }
}
