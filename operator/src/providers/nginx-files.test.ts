import { describe, expect, it } from '@jest/globals';
import { InvalidProviderConfigError } from './errors.js';
import { migrationFiles, NGINX_ID_MAX, nginxId, parseUpstreamWeight, renderLocation, renderUpstream } from './nginx-files.js';
import type { ProviderMigration } from './provider.js';

const migration: ProviderMigration = {
  namespace: 'nova',
  name: 'stage-1.webhook',
  uid: 'u',
  route: { pathPrefix: '/webhook/' },
  legacy: { service: '127.0.0.1', port: 8099 },
  target: { service: 'webhook-gateway', port: 8100 },
  config: {},
};

describe('nginx include files', () => {
  it('names one file pair and one identifier per migration', () => {
    expect(migrationFiles('/etc/nginx/nova', migration)).toEqual({
      upstream: '/etc/nginx/nova/nova-nova-stage-1.webhook.upstream.conf',
      location: '/etc/nginx/nova/nova-nova-stage-1.webhook.location.conf',
    });
    expect(nginxId(migration)).toMatch(/^nova_nova_stage_1_webhook_[0-9a-f]{8}$/);
    expect(nginxId({ namespace: 'nova', name: 'stage-1-webhook' })).not.toBe(nginxId(migration));
  });

  it('keeps the split variable short enough for nginx\'s default variables hash, and unique', () => {
    // Found with namespace stage2-<6 hex> and stage-1-webhook-gateway: 51 characters, and nginx -t refused it.
    const long = { namespace: 'stage2-674443', name: 'stage-1-webhook-gateway' };
    expect(nginxId(long)).toHaveLength(NGINX_ID_MAX);
    expect(nginxId(long)).toMatch(/^nova_stage2_674443_stage_1_webhook_ga_[0-9a-f]{8}$/);
    expect(nginxId({ ...long, name: 'stage-1-webhook-gateway-2' })).not.toBe(nginxId(long));
    // Ids that fit were never cut: an operator upgrade finds its own files as it wrote them.
    expect(nginxId({ namespace: 'nova', name: 'stage-1-webhook-gateway' })).toMatch(/^nova_nova_stage_1_webhook_gateway_[0-9a-f]{8}$/);
  });

  it('renders the split and reads it back', () => {
    for (const weight of [0, 1, 30, 99, 100]) {
      expect(parseUpstreamWeight(renderUpstream(migration, weight), migration)).toEqual({ weight, exact: true });
    }
    const text = renderUpstream(migration, 30);
    expect(text).toContain(`    30%   ${nginxId(migration)}_target;`);
    expect(text).toContain('server 127.0.0.1:8099;');
    expect(text).toContain('split_clients "${request_id}"');
  });

  it('leaves the target out when restoring legacy', () => {
    const text = renderUpstream(migration, 40, false);
    expect(text).not.toContain('webhook-gateway');
    expect(parseUpstreamWeight(text, migration)).toEqual({ weight: 0, exact: true });
  });

  it('notices a hand edit of the split', () => {
    const edited = renderUpstream(migration, 30).replace('30%', '50%');
    expect(parseUpstreamWeight(edited, migration)).toEqual({ weight: 50, exact: false });
    expect(parseUpstreamWeight('# some other file', migration)).toBeUndefined();
  });

  it('refuses values that could inject configuration', () => {
    expect(() => renderUpstream({ ...migration, target: { service: 'x; include /etc/passwd', port: 1 } }, 10)).toThrow(InvalidProviderConfigError);
    expect(() => renderUpstream({ ...migration, legacy: { service: 'a', port: 70_000 } }, 10)).toThrow(/port 70000 is out of range/);
    expect(() => renderLocation({ ...migration, route: { pathPrefix: '/a { return 200; }' } })).toThrow(InvalidProviderConfigError);
    expect(() => renderLocation({ ...migration, route: { pathPrefix: '/$host' } })).toThrow(InvalidProviderConfigError);
    expect(renderLocation(migration)).toContain('location ^~ /webhook/ {');
  });
});
