/**
 * Update → reply latency at the emulator: people write to child bots at a fixed rate over many
 * chats (open loop), and each message's latency is from the moment the emulator queued the update
 * (Telegram has it) to the moment the bot's sendMessage reached the emulator. The path: the
 * emulator's webhook delivery → the webhook gateway → JetStream → the bot service (svc.user.upsert
 * to the user service, the update's transaction, the reply through the Telegram client, paced to
 * Telegram's limits, which the emulator enforces). The same load then runs against the legacy
 * monolith (inline mode, one process) as the same run's baseline.
 *
 * Usage: node bench/dist/reply-latency.js [--rate 40] [--chats 200] [--bots 2] [--seconds 30] [--rounds 1] [--warmup 0] [--bot-replicas 1]
 * --bot-replicas N runs the fleet's bot service as N processes on the one durable consumer (the
 * chart runs two of each deployable); the monolith stays one process, so such a run shows what the
 * split lets scale on its own, not a like-for-like ratio.
 * --rounds N repeats the fleet and the monolith N times, alternating which goes first, and prints the
 * median of the rounds' ratios: one 30-second run per side cannot settle a ratio close to 1.
 * BENCH_USER_SERVICE=<dir>/dist/main.js adds a second fleet run with that build of the user
 * service (a before/after in one run, beside the same monolith); BENCH_OTHER_ROOT=<a built copy of
 * the repository> adds one whose gateway, bot service and user service all come from that copy
 * (a change of a shared package, such as @nova/bus, is in all three).
 */
import { buttons, FREE_CHILD_BOTS } from '@nova/bot-service/domain';
import { preciseNow, TelegramEmulator, type EmulatedBot, type UserSpec } from '@nova/telegram-emulator';
import { createDatabase, freePort, startTestbed, type Stack } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deployable, startProcess } from './processes.js';
import { printStatements, startStatementLog } from './statement-log.js';
import { option, percentile } from './support.js';
import { printTraceBreakdown, tracingEnv, type MessageTimes } from './trace-breakdown.js';

const RATE = option('rate', 40);
const CHATS = option('chats', 200);
const BOTS = option('bots', 2);
const BOT_REPLICAS = option('bot-replicas', 1);
const SECONDS = option('seconds', 30);

/** BENCH_PROFILE=<dir>: every process writes a CPU profile there when it stops (node --cpu-prof). */
function profiling(): Record<string, string> {
  const dir = process.env.BENCH_PROFILE;
  return dir === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

interface Scenario {
  readonly emulator: TelegramEmulator;
  readonly children: readonly EmulatedBot[];
  /** name → base URL of each process (for BENCH_METRICS). */
  readonly processes: Readonly<Record<string, string>>;
  /** Stops the scenario's processes (a second fleet must not share the first one's consumers). */
  readonly stop: () => Promise<void>;
  /** The service name (OTEL_SERVICE_NAME) of the process that receives the webhook, for BENCH_TRACES. */
  readonly tracedAs: string;
}

async function ownerSays(emulator: TelegramEmulator, main: EmulatedBot, owner: UserSpec, text: string): Promise<string> {
  const reply = emulator.nextMessageTo(owner.id, { botId: main.id, timeoutMs: 60_000 });
  emulator.userSends(main.token, { from: owner, text });
  return (await reply).text ?? '';
}

/**
 * Owners connect BOTS child bots through the main bot, as people would: FREE_CHILD_BOTS each, the
 * product's limit without a subscription. (With one owner, `--bots 10` stopped at the fourth bot:
 * past the limit the bots context asks the payments context, which the fleet here does not run,
 * so the owner was never answered: "no message to chat 1 within 60000 ms".)
 */
async function connectChildren(emulator: TelegramEmulator, main: EmulatedBot): Promise<EmulatedBot[]> {
  const children: EmulatedBot[] = [];
  for (let n = 0; n < BOTS; n++) {
    const owner: UserSpec = { id: 1 + Math.floor(n / FREE_CHILD_BOTS), first_name: 'Owner' };
    if (n % FREE_CHILD_BOTS === 0) await ownerSays(emulator, main, owner, '/start');
    const child = emulator.createBot({ username: `bench_child_${String(n)}_bot` });
    await ownerSays(emulator, main, owner, buttons('en').add);
    const answer = await ownerSays(emulator, main, owner, child.token);
    if (!answer.includes('is connected')) throw new Error(`could not connect a child bot: ${answer}`);
    children.push(child);
  }
  return children;
}

interface Measured {
  readonly latencies: number[];
  /** Of those, each chat's first message (the users context registers the sender) and the rest. */
  readonly firstOfChat: number[];
  readonly later: number[];
  readonly sent: number;
  readonly achievedRate: number;
  readonly tooMany: number;
  /** Each answered message's chat, place in its chat and two ends (for BENCH_TRACES). */
  readonly messages: MessageTimes[];
}

/** Sends at RATE for `seconds` over CHATS chats numbered from `chatBase`, and waits until each has its reply. */
async function send({ emulator, children }: Scenario, chatBase: number, seconds: number) {
  const total = RATE * seconds;
  const sentAt = new Map<string, number[]>();
  const started = preciseNow();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / RATE;
    const wait = due - preciseNow();
    if (wait > 0) await sleep(wait);
    const bot = children[n % children.length];
    if (bot === undefined) throw new Error('no child bot');
    const chat = chatBase + (n % CHATS);
    const key = `${String(bot.id)}:${String(chat)}`;
    sentAt.set(key, [...(sentAt.get(key) ?? []), preciseNow()]);
    emulator.userSends(bot.token, { from: { id: chat, first_name: `P${String(chat)}` }, text: `message ${String(n)}` });
  }
  const achievedRate = total / ((preciseNow() - started) / 1000);
  const ids = new Set(children.map((bot) => bot.id));
  const ours = (chat: unknown): boolean => Number(chat) >= chatBase && Number(chat) < chatBase + CHATS;
  const replies = () => emulator.calls((call) => call.ok && call.method === 'sendMessage' && call.botId !== undefined && ids.has(call.botId) && ours(call.params.chat_id));
  const deadline = Date.now() + 180_000;
  while (replies().length < total) {
    if (Date.now() > deadline) throw new Error(`only ${String(replies().length)} of ${String(total)} replies arrived`);
    await sleep(100);
  }
  return { total, sentAt, started, achievedRate, replies };
}

/**
 * --warmup S: before the measured run, the same load for S seconds on other chats (answered in
 * full before the measured run starts), so the measured run's processes are past their cold start
 * (pool connections opened, the JIT warm) while its chats are still new to them: its first
 * messages still register 400 people at once. 0 (the default, and every figure before 2026-12-06):
 * the measured run is the processes' first load since they connected the bots.
 */
const WARMUP = option('warmup', 0);

/** The --warmup pass (not measured; the CPU and statements figures start after it, the handler means do not). */
async function warmUp(scenario: Scenario): Promise<void> {
  if (WARMUP > 0) await send(scenario, 900_000, WARMUP);
}

/** Sends at RATE for SECONDS, round-robin over chats and bots, and pairs each message with its reply. */
async function measure(scenario: Scenario): Promise<Measured> {
  const { total, sentAt, started, achievedRate, replies } = await send(scenario, 10_000, SECONDS);
  const latencies: number[] = [];
  const firstOfChat: number[] = [];
  const later: number[] = [];
  const timeline: { sentAfterMs: number; latencyMs: number }[] = [];
  const messages: MessageTimes[] = [];
  const byChat = new Map<string, number[]>();
  for (const call of replies()) {
    const key = `${String(call.botId)}:${String(call.params.chat_id)}`;
    byChat.set(key, [...(byChat.get(key) ?? []), call.preciseAt]);
  }
  for (const [key, sends] of sentAt) {
    const answered = byChat.get(key) ?? [];
    sends.forEach((at, index) => {
      const reply = answered[index];
      if (reply === undefined) return;
      latencies.push(reply - at);
      messages.push({ key, index, sent: at, replied: reply });
      (index === 0 ? firstOfChat : later).push(reply - at);
      timeline.push({ sentAfterMs: at - started, latencyMs: reply - at });
    });
  }
  if (process.env.BENCH_TIMELINE !== undefined) printTimeline(timeline);
  const tooMany = scenario.emulator.calls((call) => call.status === 429).length;
  return { latencies, firstOfChat, later, sent: total, achievedRate, tooMany, messages };
}

/**
 * BENCH_TIMELINE=1: the latencies by when the message was sent (250 ms buckets for the first 4 s,
 * then 5 s ones), to tell a start-up burst from a steady tail.
 */
function printTimeline(points: readonly { sentAfterMs: number; latencyMs: number }[]): void {
  const bucketOf = (ms: number): number => (ms < 4_000 ? Math.floor(ms / 250) * 250 : 4_000 + Math.floor((ms - 4_000) / 5_000) * 5_000);
  const buckets = new Map<number, number[]>();
  for (const point of points) {
    const bucket = bucketOf(point.sentAfterMs);
    const latencies = buckets.get(bucket) ?? [];
    latencies.push(point.latencyMs);
    buckets.set(bucket, latencies);
  }
  for (const [start, latencies] of [...buckets].sort(([a], [b]) => a - b)) {
    console.log(`    sent at ${String(start).padStart(6)} ms: ${String(latencies.length).padStart(4)} messages, p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, max ${ms(Math.max(...latencies))} ms`);
  }
}

interface Secrets {
  readonly NOVA_MAIN_BOT_TOKEN: string;
  readonly NOVA_TOKEN_ENCRYPTION_KEY: string;
  readonly NOVA_WEBHOOK_SECRET: string;
}

function secretsFor(main: EmulatedBot): Secrets {
  return { NOVA_MAIN_BOT_TOKEN: main.token, NOVA_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), NOVA_WEBHOOK_SECRET: randomBytes(24).toString('base64url') };
}

interface FleetBuild {
  readonly gateway: string;
  readonly users: string;
  readonly bots: string;
}

const THIS_BUILD: FleetBuild = { gateway: deployable('webhook-gateway'), users: deployable('user-service'), bots: deployable('bot-service') };

/** BENCH_TRACES=1: the test bed's Jaeger, to which every process of both sides exports its spans. */
const TRACES = process.env.BENCH_TRACES !== undefined;

async function fleetScenario(stack: Stack, natsUrl: string, databaseUrl: string, build: FleetBuild, suffix: string, tag: string): Promise<Scenario> {
  const emulator = await TelegramEmulator.start();
  const main = emulator.createBot({ username: 'bench_main_bot' });
  const secrets = secretsFor(main);
  const gatewayAddress = `127.0.0.1:${String(await freePort())}`;
  const common = { NOVA_NATS_URL: natsUrl, NOVA_NAMESPACE: 'bench', ...profiling() };
  const traced = (name: string): Record<string, string> => tracingEnv(testbed.info.jaeger?.otlpHttpUrl, `${name}${suffix}-${tag}`);
  const [gateway, users] = await Promise.all([
    startProcess(stack, `webhook-gateway${suffix}`, build.gateway, { ...common, ...traced('webhook-gateway'), NOVA_WEBHOOK_SECRET: secrets.NOVA_WEBHOOK_SECRET, NOVA_MAIN_BOT_ID: String(main.id) }, gatewayAddress),
    startProcess(stack, `user-service${suffix}`, build.users, { ...common, ...traced('user-service'), NOVA_DATABASE_URL: databaseUrl }),
  ]);
  const botEnv = { ...common, ...traced('bot-service'), ...secrets, NOVA_DATABASE_URL: databaseUrl, NOVA_TELEGRAM_API_ROOT: emulator.apiRoot, NOVA_PUBLIC_URL: `http://${gatewayAddress}` };
  const bots = await Promise.all(Array.from({ length: BOT_REPLICAS }, async (_, n) => {
    const name = `bot-service${suffix}${n === 0 ? '' : `-${String(n + 1)}`}`;
    return { name, started: await startProcess(stack, name, build.bots, botEnv) };
  }));
  const stop = async (): Promise<void> => {
    await emulator.stop();
    for (const started of [gateway, ...bots.map((bot) => bot.started), users]) await started.process.stop();
  };
  const processes = { [`webhook-gateway${suffix}`]: `http://${gatewayAddress}`, ...Object.fromEntries(bots.map((bot) => [bot.name, bot.started.url])), [`user-service${suffix}`]: users.url };
  return { emulator, children: await connectChildren(emulator, main), processes, stop, tracedAs: `webhook-gateway${suffix}-${tag}` };
}

async function monolithScenario(stack: Stack, databaseUrl: string, tag: string): Promise<Scenario> {
  const emulator = await TelegramEmulator.start();
  const main = emulator.createBot({ username: 'bench_main_bot' });
  const address = `127.0.0.1:${String(await freePort())}`;
  const monolith = await startProcess(stack, 'monolith', deployable('monolith'), {
    ...secretsFor(main), ...profiling(), ...tracingEnv(testbed.info.jaeger?.otlpHttpUrl, `monolith-${tag}`), NOVA_NAMESPACE: 'bench', NOVA_DATABASE_URL: databaseUrl, NOVA_TELEGRAM_API_ROOT: emulator.apiRoot, NOVA_PUBLIC_URL: `http://${address}`, NOVA_MONOLITH_UPDATES: 'inline',
  }, address);
  return { emulator, children: await connectChildren(emulator, main), processes: { monolith: monolith.url }, stop: async () => { await emulator.stop(); await monolith.process.stop(); }, tracedAs: `monolith-${tag}` };
}

/** Each process's CPU seconds so far (prom-client's process_cpu_seconds_total). */
async function cpuSeconds(scenario: Scenario): Promise<Map<string, number>> {
  const seconds = new Map<string, number>();
  for (const [name, url] of Object.entries(scenario.processes)) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /^process_cpu_seconds_total (\S+)$/m.exec(text);
    seconds.set(name, Number(match?.[1] ?? Number.NaN));
  }
  return seconds;
}

/** BENCH_METRICS=1: each process's own bus handler durations (mean per context) and CPU per message, read after the run. */
async function printBusDurations(scenario: Scenario, cpuBefore: Map<string, number>, messages: number): Promise<void> {
  if (process.env.BENCH_METRICS === undefined) return;
  const cpuAfter = await cpuSeconds(scenario);
  for (const [name, url] of Object.entries(scenario.processes)) {
    console.log(`  ${name}: ${fmt((((cpuAfter.get(name) ?? 0) - (cpuBefore.get(name) ?? 0)) * 1000) / messages, 2)} ms of CPU per message`);
    const text = await (await fetch(`${url}/metrics`)).text();
    const sums = new Map<string, { sum: number; count: number }>();
    for (const line of text.split('\n')) {
      const match = /^nova_bus_message_duration_seconds_(sum|count)\{(.*)\} (\S+)$/.exec(line);
      if (match === null) continue;
      const [, kind, labels, value] = match;
      const entry = sums.get(labels ?? '') ?? { sum: 0, count: 0 };
      if (kind === 'sum') entry.sum = Number(value); else entry.count = Number(value);
      sums.set(labels ?? '', entry);
    }
    for (const [labels, { sum, count }] of sums) if (count > 0) console.log(`  ${name} {${labels}}: ${String(count)} handled, mean ${fmt((sum / count) * 1000, 1)} ms`);
    // Handler failures (each one a retry after a backoff of 1 s or more: a stall of its chat and partition).
    for (const match of text.matchAll(/^nova_bus_messages_total\{(.*outcome="error".*)\} (\S+)$/gm)) {
      if (Number(match[2]) > 0) console.log(`  ${name} {${match[1] ?? ''}}: ${match[2] ?? ''} failed`);
    }
  }
}

const fmt = (value: number, digits = 0): string => value.toFixed(digits);
/** A latency: both ends are on the emulator's `preciseNow` clock, printed to a tenth of a ms. */
const ms = (value: number): string => fmt(value, 1);
function line(name: string, result: Measured): string {
  const l = result.latencies;
  const split = (values: number[]) => `p50 ${ms(percentile(values, 50))}, p95 ${ms(percentile(values, 95))}, p99 ${ms(percentile(values, 99))} ms`;
  return `${name}: p50 ${ms(percentile(l, 50))} ms, p95 ${ms(percentile(l, 95))} ms, p99 ${ms(percentile(l, 99))} ms, max ${ms(Math.max(...l))} ms; ${String(l.length)}/${String(result.sent)} answered at ${fmt(result.achievedRate, 1)} msg/s; 429s: ${String(result.tooMany)}
    a chat's first message (registers the sender, ${String(result.firstOfChat.length)}): ${split(result.firstOfChat)}; later messages (${String(result.later.length)}): ${split(result.later)}`;
}

/** BENCH_STATEMENTS=1: the measured run's SQL statements per message, per context (statement-log.ts). */
async function measuredWithStatements(scenario: Scenario, serverUrl: string, database: string): Promise<Measured> {
  if (process.env.BENCH_STATEMENTS === undefined) return measure(scenario);
  const log = await startStatementLog(serverUrl, join(testbed.stack.logDir, 'postgres.log'), database);
  const result = await measure(scenario);
  printStatements(await log.stop(), result.sent);
  return result;
}

const ROUNDS = option('rounds', 1);

interface Round {
  readonly fleet: Measured;
  readonly other: Measured | undefined;
  readonly monolith: Measured;
  /** The 1-minute load average when the round ended. */
  readonly load: number;
}

const ratios = (side: Measured, baseline: Measured): string =>
  `p50 ${fmt(percentile(side.latencies, 50) / percentile(baseline.latencies, 50), 2)}×, p95 ${fmt(percentile(side.latencies, 95) / percentile(baseline.latencies, 95), 2)}×, p99 ${fmt(percentile(side.latencies, 99) / percentile(baseline.latencies, 99), 2)}×`;

function printRound(title: string | undefined, round: Round, otherName: string): void {
  if (title !== undefined) console.log(title);
  console.log(line('fleet (gateway → JetStream → bot service ↔ user service)', round.fleet));
  if (round.other !== undefined) {
    console.log(line(otherName, round.other));
    console.log(`that fleet / monolith: ${ratios(round.other, round.monolith)}`);
  }
  console.log(line('monolith, inline (legacy baseline)                       ', round.monolith));
  console.log(`fleet / monolith: ${ratios(round.fleet, round.monolith)}`);
}

/** Over the rounds: the median of each round's ratio (each against its own round's monolith), and their range. */
function printRounds(rounds: readonly Round[], otherName: string): void {
  const summary = (name: string, side: (round: Round) => Measured | undefined): void => {
    const parts = ([50, 95, 99] as const).map((p) => {
      const each = rounds.flatMap((round) => {
        const measured = side(round);
        return measured === undefined ? [] : [percentile(measured.latencies, p) / percentile(round.monolith.latencies, p)];
      });
      if (each.length === 0) return undefined;
      return `p${String(p)} median ${fmt(percentile(each, 50), 2)}× (${fmt(Math.min(...each), 2)}–${fmt(Math.max(...each), 2)}×)`;
    });
    if (parts.every((part) => part !== undefined)) console.log(`${name} / monolith over ${String(rounds.length)} rounds: ${parts.join(', ')}`);
  };
  summary('fleet', (round) => round.fleet);
  summary(otherName, (round) => round.other);
  const pooled = (side: (round: Round) => Measured) => rounds.flatMap((round) => side(round).latencies);
  const p = (values: number[], q: number): string => ms(percentile(values, q));
  const fleet = pooled((round) => round.fleet);
  const monolith = pooled((round) => round.monolith);
  console.log(`pooled over the rounds: fleet p50 ${p(fleet, 50)}, p95 ${p(fleet, 95)}, p99 ${p(fleet, 99)} ms | monolith p50 ${p(monolith, 50)}, p95 ${p(monolith, 95)}, p99 ${p(monolith, 99)} ms`);
}

// NOVA_TESTBED_KEEP=1 keeps the stack folder: every process's log (warnings: a handler's failure and its retry).
const testbed = await startTestbed({ components: TRACES ? ['nats', 'postgres', 'jaeger'] : ['nats', 'postgres'], keep: process.env.NOVA_TESTBED_KEEP === '1' });
try {
  const { nats, postgres, jaeger } = testbed.info;
  if (nats === undefined || postgres === undefined) throw new Error('the test bed did not start NATS and PostgreSQL');
  // After the side stopped: its processes export their last spans on the way out.
  const traceBreakdown = async (scenario: Scenario, since: number, result: Measured): Promise<void> => {
    if (jaeger !== undefined) await printTraceBreakdown(jaeger.queryUrl, scenario.tracedAs, since, result.messages);
  };
  const runFleet = async (build: FleetBuild, suffix: string, tag: string): Promise<Measured> => {
    const name = `bench_fleet${suffix.replace('-', '')}_${tag}`;
    const fleet = await fleetScenario(testbed.stack, nats.url, await createDatabase(postgres.url, name), build, suffix, tag);
    await warmUp(fleet);
    const cpu = await cpuSeconds(fleet);
    const since = Date.now();
    const result = await measuredWithStatements(fleet, postgres.url, name);
    await printBusDurations(fleet, cpu, result.sent);
    await fleet.stop();
    await traceBreakdown(fleet, since, result);
    return result;
  };
  const runMonolith = async (tag: string): Promise<Measured> => {
    const monolith = await monolithScenario(testbed.stack, await createDatabase(postgres.url, `bench_monolith_${tag}`), tag);
    await warmUp(monolith);
    const monolithCpu = await cpuSeconds(monolith);
    const since = Date.now();
    const result = await measuredWithStatements(monolith, postgres.url, `bench_monolith_${tag}`);
    await printBusDurations(monolith, monolithCpu, result.sent);
    await monolith.stop();
    await traceBreakdown(monolith, since, result);
    return result;
  };
  // BENCH_USER_SERVICE: a second fleet with another build of the user service; BENCH_OTHER_ROOT: with
  // another build's gateway, bot and user service; BENCH_OTHER_FIRST=1 runs it first.
  const otherRoot = process.env.BENCH_OTHER_ROOT;
  const otherUserService = process.env.BENCH_USER_SERVICE;
  const otherBuild: FleetBuild | undefined = otherRoot !== undefined
    ? { gateway: join(otherRoot, THIS_BUILD.gateway), users: join(otherRoot, THIS_BUILD.users), bots: join(otherRoot, THIS_BUILD.bots) }
    : otherUserService !== undefined ? { ...THIS_BUILD, users: otherUserService } : undefined;
  const otherName = otherRoot !== undefined ? `fleet, built at ${otherRoot}` : `fleet, user service ${otherUserService ?? ''}`;

  console.log(`update → reply latency benchmark: ${String(cpus().length)} cores (${cpus()[0]?.model.trim() ?? '?'}), ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`);
  console.log(`  ${String(RATE)} messages/s for ${String(SECONDS)} s over ${String(CHATS)} chats and ${String(BOTS)} child bots (${fmt(RATE / BOTS, 1)}/s per bot, one message per chat every ${fmt((CHATS / RATE), 1)} s); the emulator enforces Telegram's limits`);
  if (BOT_REPLICAS > 1) console.log(`  the fleet's bot service as ${String(BOT_REPLICAS)} processes; the monolith one`);
  console.log(`  nats-server ${nats.version}, PostgreSQL ${postgres.version}, every process on this machine${ROUNDS > 1 ? `; ${String(ROUNDS)} rounds, the fleet first in odd rounds and the monolith first in even ones` : ''}`);
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const tag = randomBytes(3).toString('hex');
    // Alternating which side goes first cancels a drift of the machine over a round (a neighbour's
    // load coming or going) out of the median of the rounds' ratios.
    const monolithFirst = round % 2 === 0;
    const monolith = monolithFirst ? await runMonolith(tag) : undefined;
    let other: Measured | undefined;
    if (otherBuild !== undefined && process.env.BENCH_OTHER_FIRST !== undefined) other = await runFleet(otherBuild, '-2', tag);
    const fleet = await runFleet(THIS_BUILD, '', tag);
    if (otherBuild !== undefined && other === undefined) other = await runFleet(otherBuild, '-2', tag);
    const measured: Round = { fleet, other, monolith: monolith ?? await runMonolith(tag), load: loadavg()[0] ?? 0 };
    rounds.push(measured);
    printRound(ROUNDS > 1 ? `round ${String(round)} (${monolithFirst ? 'monolith first' : 'fleet first'}, load ${fmt(measured.load, 1)})` : undefined, measured, otherName);
  }
  if (ROUNDS > 1) printRounds(rounds, otherName);
} finally {
  await testbed.stop();
}
