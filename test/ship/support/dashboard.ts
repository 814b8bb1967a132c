/** The Grafana dashboard the chart ships, and the PromQL it holds. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR } from './chart.js';

interface Panel {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

interface TemplateVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query?: string };
}

export interface Dashboard {
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly TemplateVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(CHART_DIR, 'dashboards', 'nova.json'), 'utf8')) as Dashboard;
}

export interface Expression {
  /** Where it comes from: a panel title or a template variable. */
  readonly source: string;
  readonly promql: string;
}

/** Every panel target's expression (rows' nested panels included). */
export function panelExpressions(dashboard: Dashboard): Expression[] {
  const walk = (panels: readonly Panel[]): Expression[] => panels.flatMap((panel) => [
    ...(panel.targets ?? []).flatMap((target) => (target.expr === undefined ? [] : [{ source: `panel "${panel.title ?? '?'}"`, promql: target.expr }])),
    ...walk(panel.panels ?? []),
  ]);
  return walk(dashboard.panels);
}

/**
 * Grafana's `label_values(<selector>, <label>)` variable queries, as the PromQL that answers the
 * same question (`count by (<label>) (<selector>)`).
 */
export function variableExpressions(dashboard: Dashboard): Expression[] {
  return dashboard.templating.list.filter((variable) => variable.type === 'query').map((variable) => {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query ?? '';
    const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query.trim());
    if (match === null) throw new Error(`variable ${variable.name}: "${query}" is not label_values(<selector>, <label>)`);
    return { source: `variable $${variable.name}`, promql: `count by (${match[2] ?? ''}) (${match[1] ?? ''})` };
  });
}

/** Replaces Grafana's variables ($x and ${x}) by values; an unknown variable is an error. */
export function substitute(promql: string, values: Readonly<Record<string, string>>): string {
  return promql.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`unknown dashboard variable ${whole} in ${promql}`);
    return value;
  });
}
