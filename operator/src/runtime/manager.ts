/**
 * One operator process: caches on every replica, reconcilers on the leader only.
 *
 * Informers start on every replica (a warm standby takes over without relisting); controllers
 * start when this replica wins the Lease and stop when it loses or releases it. Shutdown order
 * (SIGTERM): stop leading (controllers finish in-flight reconciles), release the lease so a
 * standby takes over at once, stop informers, close the HTTP server.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { ResilientInformer } from '../kube/informer.js';
import { LeaderElector, type ElectionOutcome } from '../kube/leader-election.js';
import { queueKey } from '../kube/resource.js';
import { Controller, type Reconcile } from './controller.js';
import { OpsServer } from './http-server.js';
import { silentLogger, type Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';

export interface Watch {
  readonly informer: ResilientInformer<KubernetesObject>;
  /**
   * Which keys an event about `object` concerns; default: the object's own 'namespace/name'.
   * `previous` is the version seen before (updates only), so a watch can enqueue only what changed.
   */
  readonly keys?: (object: KubernetesObject, previous?: KubernetesObject) => readonly string[];
}

export interface ControllerSpec {
  readonly name: string;
  readonly reconcile: Reconcile;
  readonly workers?: number;
  readonly watches: readonly Watch[];
}

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the Lease lives: the operator's own namespace. */
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly informers: readonly ResilientInformer<KubernetesObject>[];
  readonly controllers: readonly ControllerSpec[];
  readonly metrics: OperatorMetrics;
  readonly http?: { readonly host?: string; readonly port?: number };
  readonly logger?: Logger;
}

export class Manager {
  readonly elector: LeaderElector;
  private readonly server: OpsServer;
  private readonly logger: Logger;
  /** Controllers of the current leadership term; a stopped work queue cannot restart, so each term builds new ones. */
  private running: readonly Controller[] = [];
  private election: Promise<ElectionOutcome> | undefined;
  private shuttingDown: Promise<void> | undefined;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.server = new OpsServer({
      metrics: options.metrics,
      host: options.http?.host,
      port: options.http?.port,
      readiness: () => options.informers.map((informer) => ({ name: informer.name, ready: () => informer.hasSynced() })),
    });
    this.elector = new LeaderElector({
      kubeConfig: options.kubeConfig,
      namespace: options.leaseNamespace,
      leaseName: options.leaseName,
      identity: options.identity,
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      logger: this.logger,
      callbacks: {
        onStartedLeading: () => { this.startControllers(); },
        onStoppedLeading: () => this.stopControllers(),
        onNewLeader: (identity) => { this.logger.info('leader is', { leader: identity }); },
      },
    });
    for (const informer of options.informers) {
      informer.onRestart((restart) => { options.metrics.informerRestarts.inc({ informer: informer.name, reason: restart.reason }); });
    }
    options.controllers.forEach((spec, index) => {
      for (const watch of spec.watches) {
        const route = (object: KubernetesObject, previous?: KubernetesObject): void => {
          const controller = this.running[index];
          if (controller === undefined) return;
          for (const key of keysOf(watch, object, previous)) controller.enqueue(key);
        };
        watch.informer.on('add', route);
        watch.informer.on('update', route);
        watch.informer.on('delete', route);
      }
    });
  }

  /** Serves HTTP, syncs caches, then campaigns. Resolves with the server's URL once caches are synced. */
  async start(): Promise<string> {
    const url = await this.server.listen();
    await Promise.all(this.options.informers.map((informer) => informer.start()));
    this.election = this.elector.run();
    return url;
  }

  /** 'lost' when leadership was lost (the process should exit non-zero), 'stopped' after shutdown. */
  async done(): Promise<ElectionOutcome> {
    if (this.election === undefined) throw new Error('manager was not started');
    return this.election;
  }

  isLeader(): boolean {
    return this.elector.isLeader();
  }

  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.elector.stop();
      await this.election;
      await Promise.all(this.options.informers.map((informer) => informer.stop()));
      await this.server.close();
    })();
    return this.shuttingDown;
  }

  private startControllers(): void {
    this.options.metrics.leader.set(1);
    this.running = this.options.controllers.map(
      (spec) => new Controller({ name: spec.name, reconcile: spec.reconcile, workers: spec.workers, metrics: this.options.metrics, logger: this.logger }),
    );
    // Events seen while standing by went nowhere: a new leader looks at everything once.
    this.options.controllers.forEach((spec, index) => {
      const controller = this.running[index];
      for (const watch of spec.watches) {
        for (const object of watch.informer.list()) for (const key of keysOf(watch, object)) controller?.enqueue(key);
      }
      controller?.start();
    });
  }

  private async stopControllers(): Promise<void> {
    this.options.metrics.leader.set(0);
    const stopping = this.running;
    this.running = [];
    // In-flight reconciles stop before their next write: another replica may be leading already.
    await Promise.all(stopping.map((controller) => controller.stop({ dropQueued: true, abortInFlight: true })));
  }
}

function keysOf(watch: Watch, object: KubernetesObject, previous?: KubernetesObject): readonly string[] {
  return watch.keys === undefined ? [queueKey(object)] : watch.keys(object, previous);
}
