import { describe, expect, it } from '@jest/globals';
import { CLUSTER_NEEDS, clusterRefusal } from './cluster-needs.js';

describe('--cluster\'s needs', () => {
  it('refuses anyone but root, saying why and that nothing was started', () => {
    expect(clusterRefusal(0)).toBeUndefined();
    expect(clusterRefusal(1000)).toMatch(/--cluster needs root \(this process runs as uid 1000\).*nothing was started/u);
    expect(clusterRefusal(undefined)).toMatch(/needs Linux and root/u);
  });

  it('says what it needs before it starts: root, the node\'s binaries and their cold build time, the images', () => {
    expect(CLUSTER_NEEDS).toMatch(/root/u);
    expect(CLUSTER_NEEDS).toMatch(/kubelet.*containerd, CoreDNS/u);
    expect(CLUSTER_NEEDS).toMatch(/about 4 min\s+cold/u);
    expect(CLUSTER_NEEDS).toMatch(/images/u);
  });
});
