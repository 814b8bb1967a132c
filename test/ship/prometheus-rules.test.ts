/**
 * The chart's PrometheusRule: rendered by helm, valid against prometheus-operator's schema, its
 * rules accepted by promtool (the rule checker of the Prometheus the test bed runs), and each
 * alert's logic proven with `promtool test rules`: synthetic series in, the alerts that must (and
 * must not) fire out. promtool evaluates the expressions with Prometheus's own engine; a live
 * Prometheus would need the series produced by real processes for minutes (the `for:` clauses).
 */
import { describe, expect, it } from '@jest/globals';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderChart } from './support/chart.js';

function promtool(args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

async function renderedRule(): Promise<{ spec: { groups: unknown[] } }> {
  const { objects } = await renderChart({ namespace: 'nova', values: { metrics: { prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } } });
  const rules = objects.filter((object) => object.kind === 'PrometheusRule');
  expect(rules).toHaveLength(1);
  return rules[0] as unknown as { spec: { groups: unknown[] } };
}

interface AlertRule {
  readonly alert: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The alert's annotations as Prometheus renders them for `labels` (its templates filled in). */
function annotationsOf(groups: readonly unknown[], alertname: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  const rules = (groups as { rules: AlertRule[] }[]).flatMap((group) => group.rules);
  const rule = rules.find((candidate) => candidate.alert === alertname);
  if (rule === undefined) throw new Error(`no alert ${alertname}`);
  return Object.fromEntries(Object.entries(rule.annotations).map(([key, text]) => [key, text.replace(/\{\{ \$labels\.(\w+) \}\}/gu, (_, name: string) => labels[name] ?? '')]));
}

describe('the PrometheusRule', () => {
  it('is off by default, and when on passes prometheus-operator\'s schema with the labels asked for', async () => {
    const { objects } = await renderChart({ namespace: 'nova', values: {} });
    expect(objects.filter((object) => object.kind === 'PrometheusRule')).toEqual([]);
    const rule = await renderedRule();
    expect(() => { new PrometheusRule(rule as ConstructorParameters<typeof PrometheusRule>[0]).validate(); }).not.toThrow();
    expect((rule as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels.release).toBe('kube-prometheus-stack');
  });

  it('has rules promtool accepts, and alerts that fire exactly when they should', async () => {
    const rule = await renderedRule();
    const dir = mkdtempSync(join(tmpdir(), 'nova-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
      const checked = await promtool(['check', 'rules', 'rules.yaml'], dir);
      expect(checked).toMatchObject({ code: 0 });
      const mismatch = { namespace: 'nova', provider: 'cryptobot' };
      const forged = { namespace: 'nova', provider: 'platega' };
      /** One alert expected at `at`: its labels, and its annotations as rendered for them. */
      const firing = (alertname: string, at: string, labels: Readonly<Record<string, string>>[]): Record<string, unknown> =>
        ({ eval_time: at, alertname, exp_alerts: labels.map((exp_labels) => ({ exp_labels, exp_annotations: annotationsOf(rule.spec.groups, alertname, exp_labels) })) });
      writeFileSync(join(dir, 'tests.yaml'), stringify({
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [{
          interval: '1m',
          input_series: [
            // One mismatch at minute 3; activations and duplicates keep counting (never alerted).
            { series: 'nova_payment_callbacks_total{namespace="nova",provider="cryptobot",outcome="mismatch"}', values: '0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1' },
            { series: 'nova_payment_callbacks_total{namespace="nova",provider="cryptobot",outcome="activated"}', values: '0+30x40' },
            { series: 'nova_payment_callbacks_total{namespace="nova",provider="cryptobot",outcome="unchanged"}', values: '0+5x40' },
            // Platega: 0.2 forged callbacks a second for 40 minutes (12 a minute): over the 0.1 default.
            { series: 'nova_payment_callbacks_total{namespace="nova",provider="platega",outcome="unauthenticated"}', values: '0+12x40' },
            // CryptoBot: 0.05 a second (3 a minute): a trickle, under the threshold.
            { series: 'nova_payment_callbacks_total{namespace="nova",provider="cryptobot",outcome="unauthenticated"}', values: '0+3x40' },
            // Platega's circuit open for 10 minutes from minute 2; CryptoBot's for 3 minutes only.
            { series: 'nova_payment_provider_circuit_open{namespace="nova",provider="platega"}', values: '0 0 1 1 1 1 1 1 1 1 1 1 0 0 0 0' },
            { series: 'nova_payment_provider_circuit_open{namespace="nova",provider="cryptobot"}', values: '0 0 1 1 1 0 0 0 0 0 0 0 0 0 0 0' },
            // The last tick's time, in seconds (promtool's clock starts at 0): the active replica ticks
            // publish_due each minute until minute 10 and then hangs; a standby never ticked it.
            // subscriptions ticked at 0 only: hourly, so not late within the test's 40 minutes.
            { series: 'nova_scheduler_last_tick_timestamp_seconds{namespace="nova",job="publish_due",instance="a"}', values: '0+60x10 600x30' },
            { series: 'nova_scheduler_last_tick_timestamp_seconds{namespace="nova",job="publish_due",instance="b"}', values: '0x40' },
            { series: 'nova_scheduler_last_tick_timestamp_seconds{namespace="nova",job="subscriptions",instance="a"}', values: '0x40' },
          ],
          alert_rule_test: [
            firing('NovaPaymentCallbackMismatch', '2m', []),
            firing('NovaPaymentCallbackMismatch', '5m', [{ ...mismatch, severity: 'critical' }]),
            // Ten minutes after the last one it leaves the window.
            firing('NovaPaymentCallbackMismatch', '14m', []),
            firing('NovaPaymentCallbacksUnauthenticated', '8m', []),
            firing('NovaPaymentCallbacksUnauthenticated', '20m', [{ ...forged, severity: 'warning' }]),
            firing('NovaPaymentProviderCircuitOpen', '5m', []),
            firing('NovaPaymentProviderCircuitOpen', '8m', [{ namespace: 'nova', provider: 'platega', severity: 'warning' }]),
            firing('NovaPaymentProviderCircuitOpen', '14m', []),
            firing('NovaSchedulerStalled', '10m', []),
            // One minute late is the interval's slack: 11m is 60 s after the last tick, not over it.
            firing('NovaSchedulerStalled', '11m', []),
            firing('NovaSchedulerStalled', '12m', [{ namespace: 'nova', job: 'publish_due', severity: 'critical' }]),
          ],
        }],
      }));
      const tested = await promtool(['test', 'rules', 'tests.yaml'], dir);
      if (tested.code !== 0) throw new Error(`promtool test rules failed:\n${tested.output}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
