/**
 * The stage migration that runs through its steps during the chaos: stage 2 (the users context on
 * the bus, `nats` provider) from examples/stages/stage-2-users.yaml, on the chaos fleet (which
 * routes by the operator's weights, NOVA_ROUTING=kv). Adapted for one run, and said so:
 * - its timed pauses last `pauseMs` each (spread over the sending), its manual pause is left out
 *   (no person approves here);
 * - its analysis steps and spec.analysis are left out: the chaos kills make errors on both sides
 *   on purpose, and this run measures what the operator writes while it and everything else are
 *   killed, not its judgement (test/operator/analysis.test.ts and the e2e tests cover that);
 * - `dependsOn: [stage-1-webhook-gateway]` is left out: the fleet starts as stage 1 leaves it.
 *
 * Weights written that status did not intend: the operator records each new desired weight in
 * status with a fence one higher (status.weightFence) BEFORE it writes the weight, and the nats
 * provider stores the fence with the weight. Every (weight, fence) in the bucket's history
 * (nova_routing keeps 64 revisions per context) must therefore be a (desiredWeight, weightFence)
 * that status held at some moment; this module records every status write through a watch of the
 * migration (from a list's resourceVersion, re-opened from the last version seen, as
 * test/operator/support/record-writes.ts does) and compares at the end.
 */
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { parseRoutingRecord, ROUTING_BUCKET } from '@nova/contracts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const MIGRATIONS = { group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations' } as const;
const STAGE_FILE = new URL('../../../examples/stages/stage-2-users.yaml', import.meta.url);
export const CHAOS_CONTEXT = 'user';

interface StageFile {
  metadata: { name: string };
  spec: { steps: Record<string, unknown>[]; [field: string]: unknown };
}

/** The stage-2 spec as this run applies it (see the module comment for what is adapted and why). */
export function chaosStageSpec(pauseMs: number): { name: string; spec: Record<string, unknown> } {
  const stage = parse(readFileSync(STAGE_FILE, 'utf8')) as StageFile;
  const steps = stage.spec.steps
    .filter((step) => !('analysis' in step))
    .filter((step) => !('pause' in step) || (step.pause as { duration?: string }).duration !== undefined)
    .map((step) => ('pause' in step ? { pause: { duration: `${String(Math.max(1, Math.round(pauseMs / 1000)))}s` } } : step));
  const spec: Record<string, unknown> = { ...stage.spec, steps };
  delete spec.analysis;
  delete spec.dependsOn;
  return { name: stage.metadata.name, spec };
}

/** One state of the migration's status, as a watch saw it. */
export interface StatusSeen {
  readonly phase: string | undefined;
  readonly weight: number | undefined;
  readonly desiredWeight: number | undefined;
  readonly weightFence: number | undefined;
}

export interface WeightAudit {
  /** Every (weight, fence) the bucket's history holds for the context, oldest first. */
  readonly written: readonly { readonly weight: number; readonly fence: number }[];
  /** Those that no status write ever intended (goal 0). */
  readonly unintended: readonly { readonly weight: number; readonly fence: number }[];
  /** The desired weights status went through, in order (repeats collapsed). */
  readonly intended: readonly number[];
  /** Status writes seen; and whether the watch could have missed some (a gap it re-listed over). */
  readonly statusWrites: number;
  readonly watchGaps: number;
}

export class ChaosMigration {
  private readonly api: CustomObjectsApi;
  private readonly seen: StatusSeen[] = [];
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private stopped = false;
  private gaps = 0;
  private watching: Promise<void> | undefined;

  private constructor(private readonly kubeConfig: KubeConfig, readonly namespace: string, readonly name: string) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Starts recording status writes, then creates the migration. */
  static async apply(kubeConfig: KubeConfig, namespace: string, pauseMs: number): Promise<ChaosMigration> {
    const { name, spec } = chaosStageSpec(pauseMs);
    const migration = new ChaosMigration(kubeConfig, namespace, name);
    await migration.list();
    migration.watching = migration.watchLoop();
    await migration.api.createNamespacedCustomObject({ ...MIGRATIONS, namespace, body: { apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name }, spec } });
    return migration;
  }

  get last(): StatusSeen | undefined {
    return this.seen.at(-1);
  }

  private record(object: unknown): void {
    const status = (object as { status?: Record<string, unknown> } | undefined)?.status ?? {};
    const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
    this.seen.push({ phase: typeof status.phase === 'string' ? status.phase : undefined, weight: number(status.weight), desiredWeight: number(status.desiredWeight), weightFence: number(status.weightFence) });
  }

  /** A consistent list: its resourceVersion is etcd's current revision, which a watch is served from at once. */
  private async list(): Promise<void> {
    const listed = (await this.api.listNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, fieldSelector: `metadata.name=${this.name}` })) as { metadata?: { resourceVersion?: string }; items?: unknown[] };
    for (const item of listed.items ?? []) this.record(item);
    this.resourceVersion = listed.metadata?.resourceVersion;
  }

  private async watchLoop(): Promise<void> {
    const watch = new Watch(this.kubeConfig);
    while (!this.stopped) {
      const ended = await new Promise<'ok' | 'gone' | 'error'>((resolve) => {
        let gone = false;
        watch.watch(`/apis/${MIGRATIONS.group}/${MIGRATIONS.version}/namespaces/${this.namespace}/${MIGRATIONS.plural}`,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, fieldSelector: `metadata.name=${this.name}` },
          (type, object: { metadata?: { resourceVersion?: string }; code?: number }) => {
            if (type === 'ERROR') {
              gone = object.code === 410;
              return;
            }
            if (object.metadata?.resourceVersion !== undefined) this.resourceVersion = object.metadata.resourceVersion;
            if (type === 'ADDED' || type === 'MODIFIED') this.record(object);
          },
          (error: unknown) => { resolve(gone ? 'gone' : error === null || error === undefined ? 'ok' : 'error'); },
        ).then((controller) => { this.abort = controller; }, () => { resolve('error'); });
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() sets it while the watch runs
      if (this.stopped) break;
      if (ended === 'gone') {
        // Too old to resume from: re-list; writes between the two could be missed, so it is counted.
        this.gaps++;
        await this.list().catch(() => undefined);
      } else if (ended === 'error') {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Reads the status now (for waiting on a phase). */
  async status(): Promise<StatusSeen> {
    const object: unknown = await this.api.getNamespacedCustomObject({ ...MIGRATIONS, namespace: this.namespace, name: this.name });
    const status = (object as { status?: Record<string, unknown> }).status ?? {};
    return { phase: status.phase as string | undefined, weight: status.weight as number | undefined, desiredWeight: status.desiredWeight as number | undefined, weightFence: status.weightFence as number | undefined };
  }

  /** Waits (bounded) until the migration is Promoted or RolledBack; returns the last phase seen. */
  async settle(deadlineMs: number): Promise<string | undefined> {
    for (;;) {
      const phase = (await this.status().catch(() => this.last))?.phase;
      if (phase === 'Promoted' || phase === 'RolledBack' || Date.now() > deadlineMs) return phase;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.watching;
  }

  /** Compares the bucket's history of the context's key with every status write seen. */
  async audit(natsUrl: string): Promise<WeightAudit> {
    // One URL, or a cluster's, comma-separated (NOVA_NATS_URL's form).
    const nc = await connect({ servers: natsUrl.split(','), reconnect: false, timeout: 10_000 });
    try {
      const kv = await new Kvm(nc).open(ROUTING_BUCKET);
      const written: { weight: number; fence: number }[] = [];
      for await (const entry of await kv.history({ key: CHAOS_CONTEXT })) {
        if (entry.operation !== 'PUT') continue;
        const record = parseRoutingRecord(entry.value);
        written.push({ weight: record.weight, fence: record.fence });
      }
      // A status without them is the migration's start: 0 % (all legacy) at fence 0, which the
      // provider writes when it claims the key (operator/src/providers/nats.ts, fenceOf).
      const intendedPairs = new Set(this.seen.map((s) => `${String(s.desiredWeight ?? 0)}@${String(s.weightFence ?? 0)}`));
      const intended: number[] = [];
      for (const s of this.seen) if (s.desiredWeight !== undefined && intended.at(-1) !== s.desiredWeight) intended.push(s.desiredWeight);
      return {
        written,
        unintended: written.filter((w) => !intendedPairs.has(`${String(w.weight)}@${String(w.fence)}`)),
        intended,
        statusWrites: this.seen.length,
        watchGaps: this.gaps,
      };
    } finally {
      await nc.close();
    }
  }
}
