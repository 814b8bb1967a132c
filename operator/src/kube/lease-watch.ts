/**
 * A campaigning replica's watch of the one Lease it campaigns for, so that it sees each renewal
 * of the leader within milliseconds instead of at its next try (campaign-schedule.ts says what
 * that buys). It reports what it sees and decides nothing: the elector's attempts still read the
 * Lease afresh before any write.
 *
 * Built on the operator's ResilientInformer with a `metadata.name` field selector: client-node's
 * ListWatch lists first and watches from the list's resourceVersion (never without one,
 * DEVELOPERS.md), relists on 410 Gone and re-opens after a stream ends; the informer restarts it
 * with backoff after any other error (an apiserver that is down, a 403 under roles that lack
 * `list`/`watch` on the Lease: test/operator/leader.test.ts) and recycles a watch silent for its
 * watchdog's window. The list is bounded by `listTimeoutMs`. Nobody waits for it: while it is down
 * the campaign's periodic tries are its sightings, as in client-go.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/log.js';
import { ResilientInformer } from './informer.js';
import { withTimeout } from './request-options.js';

export interface LeaseWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** Bounds each LIST (the watch itself is long-lived by nature). */
  readonly listTimeoutMs: number;
  /** The Lease as created or changed (watch events carry the wire's JSON: times as strings). */
  readonly onLease: (lease: V1Lease) => void;
  /** The Lease was deleted: nobody holds it. */
  readonly onDeleted: () => void;
  readonly clock?: Clock;
  readonly logger: Logger;
}

export class LeaseWatch {
  private readonly informer: ResilientInformer<V1Lease>;

  constructor(options: LeaseWatchOptions) {
    const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    const fieldSelector = `metadata.name=${options.name}`;
    this.informer = new ResilientInformer<V1Lease>({
      kubeConfig: options.kubeConfig,
      name: `lease ${options.namespace}/${options.name}`,
      path: `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`,
      // The selector names the one Lease: `list`/`watch` are then authorized by the Role's
      // resourceNames, like `get`/`update` (operator/rbac/leader-election-role.yaml).
      list: () => api.listNamespacedLease({ namespace: options.namespace, fieldSelector }, withTimeout(options.listTimeoutMs)),
      fieldSelector,
      clock: options.clock,
      logger: options.logger,
    });
    this.informer.on('add', (lease) => { options.onLease(lease); });
    this.informer.on('update', (lease) => { options.onLease(lease); });
    this.informer.on('delete', () => { options.onDeleted(); });
  }

  /** Starts listing and watching in the background; failures only delay sightings. */
  start(): void {
    void this.informer.start();
  }

  /** True once the first list is in (the watch is being opened from its resourceVersion). */
  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}
