import { describe, expect, it } from '@jest/globals';
import { widest, type JaegerTrace } from './traces.js';

function trace(id: string, services: readonly string[], extraSpans = 0): JaegerTrace {
  const processes = Object.fromEntries(services.map((service, i) => [`p${String(i)}`, { serviceName: service }]));
  const spans = [...services.map((_, i) => ({ traceID: id, operationName: 'op', processID: `p${String(i)}` })), ...Array.from({ length: extraSpans }, () => ({ traceID: id, operationName: 'op', processID: 'p0' }))];
  return { traceID: id, spans, processes };
}

describe('a stage\'s trace', () => {
  it('is the one across the most services, then the most spans, linked in Jaeger\'s API', () => {
    const found = widest([trace('a', ['user-service']), trace('b', ['webhook-gateway', 'user-service', 'bot-service']), trace('c', ['webhook-gateway', 'user-service', 'bot-service'], 4)], 'http://127.0.0.1:9');
    expect(found).toEqual({ id: 'c', url: 'http://127.0.0.1:9/api/traces/c', spans: 7, services: ['webhook-gateway', 'user-service', 'bot-service'] });
  });

  it('is none when Jaeger answered none', () => {
    expect(widest([], 'http://127.0.0.1:9')).toBeUndefined();
  });
});
