/**
 * Follows the migration the demo applied, through the apiserver, as `kubectl nova watch` would:
 * its status, the step transitions (for the report's timings) and its Events (for the notes).
 */
import { CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { NovaMigration, NovaMigrationStatus } from '../../../operator/dist/api/novamigration.js';
import type { MigrationEvent, Transition } from './snapshot.js';

export class MigrationWatch {
  readonly transitions: Transition[] = [];
  readonly notes: string[] = [];
  readonly events: MigrationEvent[] = [];
  private readonly seenEvents = new Set<string>();
  private readonly custom: CustomObjectsApi;
  private readonly eventsApi: EventsV1Api;
  status: NovaMigrationStatus = {};

  /** `weightOf`: what the transitions record as the weight (stage 7: the share of contexts moved, database-progress.ts). */
  constructor(kubeConfig: KubeConfig, readonly namespace: string, readonly name: string, private readonly weightOf: (status: NovaMigrationStatus) => number = (status) => status.weight ?? 0) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.eventsApi = kubeConfig.makeApiClient(EventsV1Api);
  }

  async poll(): Promise<NovaMigrationStatus> {
    const migration = (await this.custom.getNamespacedCustomObject({ group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations', namespace: this.namespace, name: this.name })) as NovaMigration;
    this.status = migration.status ?? {};
    const last = this.transitions.at(-1);
    const step = this.status.stepLabel ?? '-';
    const phase = this.status.phase ?? 'Pending';
    const weight = this.weightOf(this.status);
    if (last === undefined || last.step !== step || last.phase !== phase || last.weight !== weight) this.transitions.push({ at: Date.now(), phase, step, weight });
    await this.readEvents();
    return this.status;
  }

  note(text: string): void {
    this.notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
  }

  /** The migration's waiting at a manual pause (the step number a person approves), if it is. */
  awaitingApproval(): number | undefined {
    const waiting = this.status.phase === 'Paused' && this.status.conditions?.some((condition) => condition.type === 'Paused' && condition.reason === 'AwaitingApproval') === true;
    return waiting && this.status.currentStep !== undefined ? this.status.currentStep + 1 : undefined;
  }

  private async readEvents(): Promise<void> {
    const list = await this.eventsApi.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `regarding.name=${this.name}` });
    const fresh = list.items
      .filter((event) => !this.seenEvents.has(event.metadata?.name ?? ''))
      .sort((a, b) => new Date(a.eventTime).getTime() - new Date(b.eventTime).getTime());
    for (const event of fresh) {
      this.seenEvents.add(event.metadata?.name ?? '');
      const at = new Date(event.eventTime);
      this.events.push({ at: at.getTime(), type: event.type ?? 'Normal', reason: event.reason ?? '', note: event.note ?? '' });
      this.notes.push(`${at.toISOString().slice(11, 19)} ${event.type === 'Warning' ? '⚠ ' : ''}${event.reason ?? ''}: ${event.note ?? ''}`);
    }
  }
}
