/**
 * skaffold.yaml, checked the way Skaffold would before it runs (Skaffold itself cannot be
 * installed here): valid against Skaffold's published v4beta14 schema; every artifact's context
 * and Dockerfile exist and its build arguments name a deployable the chart knows, on the same
 * port; every discovered deployable has an artifact; every Helm release installs charts/nova and
 * sets each artifact's image on the right chart key; the dev profile builds the `dev` target,
 * syncs sources that exist, and forwards ports of Services the chart renders.
 */
import { describe, expect, it } from '@jest/globals';
import { Ajv, type ErrorObject } from 'ajv';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { discoverDeployables } from '@nova/testbed';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT, renderChart, type Values } from './support/chart.js';

interface Artifact {
  readonly image: string;
  readonly context?: string;
  readonly docker?: { readonly dockerfile?: string; readonly target?: string; readonly buildArgs?: Readonly<Record<string, string>> };
  readonly sync?: { readonly manual?: readonly { readonly src: string; readonly dest: string }[] };
}

interface Release {
  readonly name: string;
  readonly chartPath?: string;
  readonly namespace?: string;
  readonly setValueTemplates?: Readonly<Record<string, string>>;
  readonly setValues?: Readonly<Record<string, unknown>>;
}

interface PortForward {
  readonly resourceType: string;
  readonly resourceName: string;
  readonly namespace?: string;
  readonly port: number;
}

interface Section {
  readonly build?: { readonly artifacts?: readonly Artifact[] };
  readonly deploy?: { readonly helm?: { readonly releases?: readonly Release[] } };
  readonly portForward?: readonly PortForward[];
}

interface SkaffoldConfig extends Section {
  readonly apiVersion: string;
  readonly kind: string;
  readonly profiles?: readonly (Section & { readonly name: string; readonly activation?: readonly { readonly command?: string }[] })[];
}

const config = parse(readFileSync(join(REPO_ROOT, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;
const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'thirdparty-schemas', 'skaffold-v4beta14.json'), 'utf8')) as object;
const chartValues = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { services: Record<string, { port: number }>; operator: { port: number } };
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');

function validator(): (data: unknown) => readonly ErrorObject[] {
  // Skaffold's schema carries editor hints (x-intellij-html-description, preferredOrder): not strict.
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  return (data) => (validate(data) ? [] : validate.errors ?? []);
}

const sections: readonly (readonly [string, Section])[] = [['the default build', config], ...(config.profiles ?? []).map((p) => [`profile ${p.name}`, p] as const)];
const devProfile = config.profiles?.find((p) => p.name === 'dev');

/** The chart key an artifact's image goes to, from its DEPLOYABLE build argument. */
function chartKey(deployable: string): string {
  return deployable === 'operator' ? 'operator' : `services.${deployable}`;
}

/** Skaffold's template name of an artifact: `/`, `-` and `.` become `_`. */
function templateName(image: string): string {
  return image.replace(/[/.-]/g, '_');
}

/** setValues in dotted form (`a.b.c: v`) to a values object, as `helm --set` reads it. */
function nested(dotted: Readonly<Record<string, unknown>>): Values {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(dotted)) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1] ?? ''] = value;
  }
  return root;
}

describe('skaffold.yaml', () => {
  it('is a skaffold/v4beta14 Config valid against Skaffold\'s schema', () => {
    expect(config.apiVersion).toBe('skaffold/v4beta14');
    expect(config.kind).toBe('Config');
    expect(validator()(config)).toEqual([]);
  });

  it('the schema check can fail: a misspelt field and a wrong type are refused', () => {
    const errors = validator()({ ...config, build: { artifacts: [{ image: 'x', docker: { dockerfile: 5, taget: 'dev' } }] } });
    expect(errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(errors)).toMatch(/taget|dockerfile/);
  });

  it.each(sections)('%s: every artifact\'s context and Dockerfile exist and its build arguments match the chart', (_section, section) => {
    const artifacts = section.build?.artifacts ?? [];
    expect(artifacts.length).toBeGreaterThan(0);
    for (const artifact of artifacts) {
      const context = join(REPO_ROOT, artifact.context ?? '.');
      expect(existsSync(context)).toBe(true);
      expect(existsSync(join(context, artifact.docker?.dockerfile ?? 'Dockerfile'))).toBe(true);
      const args = artifact.docker?.buildArgs ?? {};
      const deployable = args.DEPLOYABLE ?? '';
      expect(artifact.image).toBe(`nova/${deployable}`);
      expect(args.WORKSPACE).toMatch(/^(operator|services\/[a-z0-9-]+)$/);
      const chartPort = deployable === 'operator' ? chartValues.operator.port : chartValues.services[deployable]?.port;
      expect({ deployable, port: Number(args.PORT) }).toEqual({ deployable, port: chartPort });
      if (artifact.docker?.target !== undefined) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${artifact.docker.target}$`, 'm'));
    }
  });

  it.each(sections)('%s: has one artifact for every deployable workspace, with its WORKSPACE and port', (_section, section) => {
    const byWorkspace = new Map((section.build?.artifacts ?? []).map((a) => [a.docker?.buildArgs?.WORKSPACE, a]));
    for (const deployable of discoverDeployables()) {
      const artifact = byWorkspace.get(deployable.workspace);
      expect({ workspace: deployable.workspace, image: artifact?.image, port: artifact?.docker?.buildArgs?.PORT })
        .toEqual({ workspace: deployable.workspace, image: `nova/${deployable.name}`, port: String(deployable.port) });
    }
  });

  it.each(sections)('%s: every Helm release installs charts/nova and sets each artifact\'s image on its chart key', (_section, section) => {
    const releases = section.deploy?.helm?.releases ?? [];
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      expect(realpathSync(join(REPO_ROOT, release.chartPath ?? ''))).toBe(realpathSync(CHART_DIR));
      for (const artifact of section.build?.artifacts ?? []) {
        const key = chartKey(artifact.docker?.buildArgs?.DEPLOYABLE ?? '');
        const name = templateName(artifact.image);
        expect(release.setValueTemplates?.[`${key}.image.repository`]).toBe(`{{.IMAGE_REPO_${name}}}`);
        expect(release.setValueTemplates?.[`${key}.image.tag`]).toBe(`{{.IMAGE_TAG_${name}}}`);
      }
    }
  });

  it('the dev profile: `skaffold dev` activates it, builds the dev target and syncs TypeScript sources that exist', () => {
    expect(devProfile?.activation).toEqual([{ command: 'dev' }]);
    for (const artifact of devProfile?.build?.artifacts ?? []) {
      expect(artifact.docker?.target).toBe('dev');
      const workspace = artifact.docker?.buildArgs?.WORKSPACE ?? '';
      const rules = artifact.sync?.manual ?? [];
      expect(rules.map((r) => r.src)).toContain(`${workspace}/src/**/*.ts`);
      // A workspace that exists has the sources the rule syncs (the others are still being written).
      if (existsSync(join(REPO_ROOT, workspace, 'package.json'))) expect(existsSync(join(REPO_ROOT, workspace, 'src', 'main.ts'))).toBe(true);
      // Relative to the dev stage's WORKDIR (/app, the repository root in the image): paths are kept.
      for (const rule of rules) expect(rule.dest).toBe('.');
    }
    expect(dockerfile).toMatch(/^FROM build AS dev\n(?:.*\n)*?WORKDIR \/app\n/m);
  });

  it('the dev profile forwards the webhook gateway, the monolith, the operator and the admin panel, all Services the chart renders with its values', async () => {
    const forwards = devProfile?.portForward ?? [];
    expect(forwards.map((f) => f.resourceName).sort()).toEqual(['admin-panel', 'nova-monolith', 'nova-operator', 'webhook-gateway']);
    const release = devProfile?.deploy?.helm?.releases?.[0];
    const { objects } = await renderChart({ namespace: release?.namespace ?? 'nova', values: nested(release?.setValues ?? {}) });
    const services = new Map(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, o]));
    for (const forward of forwards) {
      expect(forward.resourceType).toBe('service');
      expect(forward.namespace).toBe(release?.namespace);
      const service = services.get(forward.resourceName);
      expect((service?.spec as { ports?: { port: number }[] } | undefined)?.ports?.map((p) => p.port)).toContain(forward.port);
    }
    // The dev images write dist/ in place; the chart must let them.
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain('"readOnlyRootFilesystem":false');
  });
});
