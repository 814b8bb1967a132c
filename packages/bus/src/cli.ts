#!/usr/bin/env node
/**
 * nova-bus: operator commands for the bus.
 *
 *   nova-bus dlq list   [--subject <subject or filter>] [--limit N]
 *   nova-bus dlq replay [--subject <subject or filter>] [--seq N]...
 *
 * The server comes from --server or NOVA_NATS_URL. `replay` republishes each dead letter to its
 * original subject and removes it from the DLQ stream once the origin stream stored it.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { parseArgs } from 'node:util';
import { listDeadLetters, replayDeadLetters, type DeadLetterQuery } from './jetstream/dead-letters.js';

const USAGE = `usage:
  nova-bus dlq list   [--subject <subject>] [--limit N] [--server nats://...]
  nova-bus dlq replay [--subject <subject>] [--seq N]... [--server nats://...]
(--server defaults to NOVA_NATS_URL; replay needs --subject or --seq)`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      seq: { type: 'string', multiple: true },
      limit: { type: 'string' },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [group, command] = positionals;
  if (group !== 'dlq' || (command !== 'list' && command !== 'replay')) throw new UsageError(`unknown command: ${positionals.join(' ') || '(none)'}`);
  const sequences = values.seq?.map((text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--seq must be a positive integer, got ${text}`);
    return n;
  });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive integer, got ${String(values.limit)}`);
  if (command === 'replay' && values.subject === undefined && sequences === undefined) throw new UsageError('replay needs --subject or --seq (replaying everything must be asked for with --subject ">")');
  const server = values.server ?? process.env.NOVA_NATS_URL;
  if (server === undefined || server === '') throw new UsageError('no server: pass --server or set NOVA_NATS_URL');
  const query: DeadLetterQuery = { ...(values.subject === undefined ? {} : { subject: values.subject }), ...(sequences === undefined ? {} : { sequences }), ...(limit === undefined ? {} : { limit }) };

  const nc = await connect({ servers: server.split(',').map((s) => s.trim()), name: 'nova-bus-cli' });
  try {
    const jsm = await jetstreamManager(nc);
    if (command === 'list') {
      const entries = await listDeadLetters(jsm, query);
      for (const e of entries) {
        process.stdout.write(`${String(e.dlqSequence)}\t${e.stream}\t${e.subject}\tseq=${String(e.sequence)}\tdeliveries=${String(e.deliveries)}\tconsumer=${e.consumer}\tmsgId=${e.msgId}\tfailedAt=${e.failedAt}\terror=${e.error}\n`);
      }
      process.stderr.write(`${String(entries.length)} dead letter(s)\n`);
    } else {
      const { replayed } = await replayDeadLetters(jetstream(nc), jsm, query);
      for (const e of replayed) process.stdout.write(`replayed ${String(e.dlqSequence)} -> ${e.subject}\n`);
      process.stderr.write(`${String(replayed.length)} dead letter(s) replayed\n`);
    }
    return 0;
  } finally {
    await nc.drain();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`nova-bus: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
