/**
 * What a failed wait in a stage's e2e test says: for each migration, what the operator stored and
 * the Events it recorded, its last warnings, and the fleet processes' last warnings and errors.
 * Read only when a test fails, so that the failure explains itself.
 */
import { component } from '@nova/testbed';
import { readFileSync } from 'node:fs';
import { kubectl } from '../../operator/support/kubectl.js';
import type { Migrations } from '../../operator/support/migrations.js';

export interface StoryOptions {
  readonly migrations: Migrations;
  readonly namespace: string;
  /** The migrations the test moves. */
  readonly names: readonly string[];
  /** The operator process's log file. */
  readonly operatorLog: string;
  /** Which operator log lines to show; default its warnings and errors. */
  readonly operatorLines?: RegExp;
}

/** Each migration's stored status and last Events, then the operator's last matching log lines. */
export async function operatorStory(options: StoryOptions): Promise<string> {
  const parts: string[] = [];
  for (const name of options.names) {
    const status = await options.migrations.status(name).catch((error: unknown) => String(error));
    const events = await kubectl(component('kube').kubeconfig, ['get', 'events', '-n', options.namespace, '--field-selector', `involvedObject.name=${name}`, '--sort-by=.metadata.creationTimestamp', '-o', 'custom-columns=TIME:.metadata.creationTimestamp,REASON:.reason,NOTE:.message', '--no-headers']);
    parts.push(`${name}: ${JSON.stringify(status)}\n${events.stdout.split('\n').slice(-20).join('\n')}`);
  }
  const pattern = options.operatorLines ?? /"level":"(warn|error)"/iu;
  const lines = readFileSync(options.operatorLog, 'utf8').split('\n').filter((line) => pattern.test(line)).slice(-15);
  return `${parts.join('\n')}\noperator warnings:\n${lines.join('\n')}`;
}

/** The last warnings and errors of each process (pino's numeric levels and the named ones alike). */
export function fleetComplaints(processes: readonly { readonly name: string; logText(): string }[], perProcess = 8): string {
  return processes.map((running) => {
    const lines = running.logText().split('\n').filter((line) => /"level":(40|50|60)|"level":"(warn|error|fatal)"/u.test(line)).slice(-perProcess);
    return `${running.name}:\n${lines.map((line) => `  ${line.slice(0, 600)}`).join('\n')}`;
  }).join('\n');
}
