import { describe, expect, it } from '@jest/globals';
import { clusterStage } from './cluster.js';
import { parseOptions } from './options.js';

describe('the stage-2 file as --cluster applies it', () => {
  it('is the one-machine adaptation in the release\'s namespace, against the node\'s Prometheus, without the dependsOn on stage 1 (the NodePort is its end state)', () => {
    const options = parseOptions(['--cluster', '--pause', '4s', '--interval', '3s', '--p95-limit', '5s'], false);
    const stage = clusterStage(options, 'http://198.18.0.2:20001');
    expect(stage.metadata).toMatchObject({ name: 'stage-2-users', namespace: 'nova' });
    expect(stage.spec.dependsOn).toBeUndefined();
    expect(stage.spec.trafficProvider).toEqual({ nats: { context: 'user' } });
    expect(stage.spec.legacy).toEqual({ service: 'nova-monolith', port: 8099 });
    expect(stage.spec.target).toEqual({ service: 'user-service', port: 8101 });
    expect(stage.spec.analysis).toMatchObject({ interval: '3s', window: '12s', prometheus: { address: 'http://198.18.0.2:20001' }, thresholds: { maxErrorRate: 0.001, p95LatencyMs: 5_000 } });
    // The manual approval stays; every timed pause lasts --pause.
    expect(stage.spec.steps.filter((step) => step.pause !== undefined)).toEqual([{ pause: { duration: '4s' } }, { pause: { duration: '4s' } }, { pause: {} }, { pause: { duration: '4s' } }]);
  });
});
