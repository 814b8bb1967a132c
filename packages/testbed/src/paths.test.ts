import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedToolVersion, repoRoot } from './paths.js';

describe('pinnedToolVersion', () => {
  it('reads the kube-apiserver release the Go module requires', () => {
    const version = pinnedToolVersion('kube-apiserver', 'k8s.io/kubernetes');
    expect(version).toMatch(/^v1\.\d+\.\d+$/);
    // Every staging module is replaced by the matching v0.X.Y, or the build mixes releases.
    const goMod = readFileSync(join(repoRoot(), 'tools', 'kube-apiserver', 'go.mod'), 'utf8');
    const staging = version.replace(/^v1\./, 'v0.');
    const replaces = [...goMod.matchAll(/^\s*(k8s\.io\/\S+) => \S+ (v\S+)\s*$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    for (const [, module, replacement] of replaces) expect(`${module ?? ''} ${replacement ?? ''}`).toBe(`${module ?? ''} ${staging}`);
  });

  it('reads a single-line require (the Jaeger wrapper module)', () => {
    expect(pinnedToolVersion('jaeger', 'github.com/jaegertracing/jaeger')).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('names the module and file when the pin is missing', () => {
    expect(() => pinnedToolVersion('jaeger', 'example.com/absent')).toThrow('tools/jaeger/go.mod does not require example.com/absent');
  });
});
