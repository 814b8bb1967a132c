import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCrdDirs } from '../paths.js';
import { loadCrds } from './crds.js';

describe('loadCrds', () => {
  it('finds the third-party traffic CRDs the operator writes to', () => {
    const names = loadCrds(defaultCrdDirs()).map((crd) => crd.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['virtualservices.networking.istio.io', 'httproutes.gateway.networking.k8s.io']));
  });

  it('keeps only CRDs from multi-document files and skips missing folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-crds-'));
    try {
      writeFileSync(join(dir, 'mixed.yaml'), [
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: skipped}',
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}',
      ].join('\n---\n'));
      writeFileSync(join(dir, 'notes.txt'), 'not yaml');
      expect(loadCrds([dir, join(dir, 'absent')]).map((crd) => crd.metadata?.name)).toEqual(['things.example.com']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a file that is not YAML, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-crds-'));
    try {
      writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed');
      expect(() => loadCrds([dir])).toThrow(/broken\.yaml is not valid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
