/**
 * What a started test bed tells its users: addresses, paths and versions. Plain JSON, so
 * jest's globalSetup can hand it to test workers through a file.
 */
export interface KubeInfo {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig whose user is a client certificate in group system:masters. */
  readonly kubeconfig: string;
  /** Folder holding ca.crt/ca.key, used to mint more client certificates (e.g. the operator's own). */
  readonly pkiDir: string;
  readonly etcdUrl: string;
  readonly version: string;
  readonly etcdVersion: string;
}

export interface NatsInfo {
  /** nats://127.0.0.1:<port>, JetStream enabled (a cluster's first node). */
  readonly url: string;
  /** Every node's client URL: one for a single server, three for the cluster (NOVA_TESTBED_NATS_NODES=3). */
  readonly urls: readonly string[];
  readonly monitorUrl: string;
  readonly version: string;
}

export interface PostgresInfo {
  /** postgresql://nova@127.0.0.1:<port>/postgres — a superuser; tests create their own databases. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly version: string;
}

export interface PrometheusInfo {
  readonly url: string;
  /** Drop `<name>.json` file_sd target files here; Prometheus picks them up within a second. */
  readonly fileSdDir: string;
  readonly scrapeIntervalSeconds: number;
  readonly version: string;
}

export interface NginxInfo {
  /** Tests start their own nginx instances (each with its own config) with this binary. */
  readonly binary: string;
  readonly version: string;
}

export interface JaegerInfo {
  /** OTLP/HTTP endpoint, e.g. http://127.0.0.1:<port> (POST /v1/traces). */
  readonly otlpHttpUrl: string;
  /** Query API, e.g. http://127.0.0.1:<port> (GET /api/traces/<id>). */
  readonly queryUrl: string;
  readonly version: string;
}

export interface TestbedInfo {
  readonly stackDir: string;
  readonly kube?: KubeInfo;
  readonly nats?: NatsInfo;
  readonly postgres?: PostgresInfo;
  readonly prometheus?: PrometheusInfo;
  readonly nginx?: NginxInfo;
  readonly jaeger?: JaegerInfo;
}

export type ComponentName = Exclude<keyof TestbedInfo, 'stackDir'>;
export const ALL_COMPONENTS: readonly ComponentName[] = ['kube', 'nats', 'postgres', 'prometheus', 'nginx', 'jaeger'];
