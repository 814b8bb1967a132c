/**
 * Simulated traffic on one migration's route, as the data planes and services would report it to
 * Prometheus, for the operator's analysis tests and benchmark: a real HTTP exporter (prom-client)
 * that the test bed's real Prometheus scrapes every
 * second. The test sets the request rate and each side's error rate and latency; requests are
 * split between legacy and target by the weight the data plane carries now (read from the route
 * object through `weightOf`), so the target only sees traffic once the operator sent it some.
 *
 * Every request is counted in the three metric families the operator's built-in queries read:
 * Istio's destination metrics, ingress-nginx's controller metrics and the services' own
 * nova_http_server_* metrics, so one simulator serves a test of any provider.
 */
import { addScrapeTarget } from './components/prometheus.js';
import type { PrometheusInfo } from './info.js';
import { freePort } from './ports.js';
import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

export interface SideProfile {
  /** Fraction of requests answered 5xx, e.g. 0.01. */
  errorRate: number;
  /** Typical latency; observations spread ±20 % around it. */
  latencyMs: number;
}

export interface TrafficProfile {
  requestsPerSecond: number;
  legacy: SideProfile;
  target: SideProfile;
}

export interface RouteIdentity {
  readonly namespace: string;
  readonly pathPrefix: string;
  readonly legacyService: string;
  readonly targetService: string;
  /** The primary Ingress, for the ingress-nginx labels. */
  readonly ingress?: string;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 0.75, 1, 2.5];
const TICK_MS = 100;

export class SimulatedTraffic {
  profile: TrafficProfile;
  /** Requests sent to each side so far, by outcome. */
  readonly sent = { legacy: { ok: 0, error: 0 }, target: { ok: 0, error: 0 } };
  private readonly registry = new Registry();
  private readonly nova: { requests: Counter; duration: Histogram };
  private readonly istio: { requests: Counter; duration: Histogram };
  private readonly ingress: { requests: Counter; duration: Histogram };
  private weight = 0;
  private carry = { requests: 0, target: 0, errors: { legacy: 0, target: 0 } };
  private timer: NodeJS.Timeout | undefined;
  private server: Server | undefined;

  private constructor(readonly route: RouteIdentity, profile: TrafficProfile, private readonly weightOf: () => Promise<number | undefined>) {
    this.profile = profile;
    const registers = [this.registry];
    this.nova = {
      requests: new Counter({ name: 'nova_http_server_requests_total', help: 'requests', labelNames: ['namespace', 'side', 'route', 'code'], registers }),
      duration: new Histogram({ name: 'nova_http_server_request_duration_seconds', help: 'latency', labelNames: ['namespace', 'side', 'route'], buckets: SECONDS_BUCKETS, registers }),
    };
    this.istio = {
      requests: new Counter({ name: 'istio_requests_total', help: 'requests', labelNames: ['reporter', 'destination_service_namespace', 'destination_service_name', 'response_code'], registers }),
      duration: new Histogram({ name: 'istio_request_duration_milliseconds', help: 'latency', labelNames: ['reporter', 'destination_service_namespace', 'destination_service_name'], buckets: SECONDS_BUCKETS.map((s) => s * 1000), registers }),
    };
    this.ingress = {
      requests: new Counter({ name: 'nginx_ingress_controller_requests', help: 'requests', labelNames: ['namespace', 'ingress', 'path', 'canary', 'status'], registers }),
      duration: new Histogram({ name: 'nginx_ingress_controller_response_duration_seconds', help: 'latency', labelNames: ['namespace', 'ingress', 'path', 'canary'], buckets: SECONDS_BUCKETS, registers }),
    };
  }

  /** Starts the exporter, registers it with the test bed's Prometheus, and starts sending. */
  static async start(prometheus: PrometheusInfo, name: string, route: RouteIdentity, profile: TrafficProfile, weightOf: () => Promise<number | undefined>): Promise<SimulatedTraffic> {
    const traffic = new SimulatedTraffic(route, profile, weightOf);
    traffic.initialize();
    await traffic.listen(prometheus, name);
    return traffic;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const server = this.server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    // Prometheus keeps its scrape connection open: drop it rather than wait for its idle timeout.
    server.closeAllConnections();
    await closed;
  }

  private async listen(prometheus: PrometheusInfo, name: string): Promise<void> {
    const port = await freePort();
    this.server = createServer((request, response) => {
      void this.registry.metrics().then((text) => {
        response.writeHead(200, { 'content-type': this.registry.contentType });
        response.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    addScrapeTarget(prometheus, name, `127.0.0.1:${String(port)}`);
    this.timer = setInterval(() => { void this.tick(); }, TICK_MS);
  }

  private async tick(): Promise<void> {
    const read = await this.weightOf().catch(() => undefined);
    this.weight = read ?? this.weight;
    this.carry.requests += (this.profile.requestsPerSecond * TICK_MS) / 1000;
    const count = Math.floor(this.carry.requests);
    this.carry.requests -= count;
    for (let i = 0; i < count; i++) {
      // Deterministic splitting and error injection: exact shares, no randomness to make a test flaky.
      this.carry.target += this.weight / 100;
      const side = this.carry.target >= 1 ? 'target' : 'legacy';
      if (side === 'target') this.carry.target -= 1;
      this.carry.errors[side] += this.profile[side].errorRate;
      const failed = this.carry.errors[side] >= 1;
      if (failed) this.carry.errors[side] -= 1;
      this.record(side, failed);
    }
  }

  private record(side: 'legacy' | 'target', failed: boolean): void {
    const seconds = (this.profile[side].latencyMs * (0.8 + 0.4 * Math.random())) / 1000;
    this.sent[side][failed ? 'error' : 'ok']++;
    this.count(side, failed ? '503' : '200', 1);
    const { nova, istio, ingress } = this.labels(side);
    this.nova.duration.observe(nova, seconds);
    this.istio.duration.observe(istio, seconds * 1000);
    if (ingress !== undefined) this.ingress.duration.observe(ingress, seconds);
  }

  /**
   * Every series at 0 before the first request, as a well-behaved exporter does: rate() cannot
   * see the increments a series already holds when Prometheus first scrapes it, so an error
   * series born mid-window under-counts exactly the first errors a check is about.
   */
  private initialize(): void {
    for (const side of ['legacy', 'target'] as const) for (const code of ['200', '503']) this.count(side, code, 0);
  }

  private count(side: 'legacy' | 'target', code: string, by: number): void {
    const { nova, istio, ingress } = this.labels(side);
    this.nova.requests.inc({ ...nova, code }, by);
    this.istio.requests.inc({ ...istio, response_code: code }, by);
    if (ingress !== undefined) this.ingress.requests.inc({ ...ingress, status: code }, by);
  }

  private labels(side: 'legacy' | 'target'): { nova: Record<string, string>; istio: Record<string, string>; ingress?: Record<string, string> } {
    const { namespace, pathPrefix } = this.route;
    const service = side === 'target' ? this.route.targetService : this.route.legacyService;
    return {
      nova: { namespace, side, route: pathPrefix },
      istio: { reporter: 'destination', destination_service_namespace: namespace, destination_service_name: service },
      ...(this.route.ingress === undefined ? {} : { ingress: { namespace, ingress: this.route.ingress, path: pathPrefix, canary: side === 'target' ? `${namespace}-${service}-80` : '' } }),
    };
  }
}

export const HEALTHY: TrafficProfile = { requestsPerSecond: 200, legacy: { errorRate: 0.0005, latencyMs: 40 }, target: { errorRate: 0.0005, latencyMs: 40 } };
