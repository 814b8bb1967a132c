/** The steps a rehearsal takes, whichever stages it moves: applying a stage file with kubectl, the fleet's addresses, the payment providers. */
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import type { Deployable, FleetAddresses } from '@nova/fleet';
import { resolve } from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { kubectl, shown } from './kubectl.js';
import { writeStage, type Endpoints, type StageObject } from './stage.js';
import type { PaymentProviders } from './users.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Notes start with their time (HH:MM:SS): ordered by it only, so the notes of one second stay in
 * the order they were read (Events in their own time order), not alphabetical.
 */
export function byClock(a: string, b: string): number {
  return a.slice(0, 8).localeCompare(b.slice(0, 8));
}

export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

export async function applyStage(info: ControlPlane['info'], stage: StageObject, file: string, shownAs: string, pauseMs: number): Promise<void> {
  writeStage(stage, file);
  const apply = ['apply', '-f', file];
  const applied = await kubectl(REPO_ROOT, info.kube.kubeconfig, apply);
  if (applied.code !== 0) throw new Error(`${shown(apply)} failed: ${applied.stderr}`);
  say(`${shown(['apply', '-f', shownAs])}  (adapted: loopback, pauses of ${String(pauseMs / 1000)} s)`);
}

export function endpoints(plane: ControlPlane, addresses: FleetAddresses, legacy: Deployable, target: Deployable): Endpoints {
  const at = (deployable: Deployable): { host: string; port: number } => {
    const [host = '127.0.0.1', port = '0'] = addresses[deployable].split(':');
    return { host, port: Number(port) };
  };
  return { legacy: at(legacy), target: at(target), prometheusUrl: plane.info.prometheus.url };
}

/** Both payment providers, emulated, calling back through the ingress as they would the public address. */
export async function startProviders(ingressUrl: string, cleanups: (() => Promise<void>)[]): Promise<PaymentProviders> {
  // Their retry schedules compressed to a demo's time (Platega's real one: 3 retries 5 minutes apart).
  const delivery = { attempts: 240, intervalMs: 500, timeoutMs: 5_000 };
  const cryptobot = await CryptoBotEmulator.start({ webhookUrl: `${ingressUrl}/payments/cryptobot/callback`, delivery });
  cleanups.push(() => cryptobot.stop());
  const platega = await PlategaEmulator.start({ callbackUrl: `${ingressUrl}/payments/platega/callback`, delivery });
  cleanups.push(() => platega.stop());
  say(`payment providers (emulators): CryptoBot at ${cryptobot.apiRoot}, Platega at ${platega.apiRoot}; callbacks to ${ingressUrl}/payments/`);
  return { cryptobot, platega };
}
