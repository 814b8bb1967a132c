/**
 * What every payment provider's emulator shares: its HTTP server (the provider's API, faults,
 * downtime) and its callback delivery (retries, attempts). Each provider's class adds its own API
 * and the callbacks it sends.
 */
import { CallbackDelivery, type DeliveryAttempt, type DeliverySettings } from './callback-delivery.js';
import { EmulatorHttpServer, type ApiFault, type EmulatorReply, type EmulatorRequest } from './http.js';

export abstract class ProviderEmulator {
  protected readonly http: EmulatorHttpServer;
  protected readonly delivery: CallbackDelivery;

  protected constructor(delivery: DeliverySettings, host: string | undefined) {
    this.delivery = new CallbackDelivery(delivery);
    this.http = new EmulatorHttpServer((request) => Promise.resolve(this.handle(request)), host);
  }

  /** Answers one API call (or control call) of the provider. */
  protected abstract handle(request: EmulatorRequest): EmulatorReply | Promise<EmulatorReply>;

  get origin(): string {
    return this.http.origin;
  }

  /** Every callback delivery attempt so far, oldest first. */
  deliveries(): DeliveryAttempt[] {
    return this.delivery.attempts();
  }

  /** Resolves once no callback delivery is in progress. */
  settled(): Promise<void> {
    return this.delivery.settled();
  }

  /** The next API calls fail with a status, answer slowly, or both. */
  injectFault(fault: ApiFault): void {
    this.http.injectFault(fault);
  }

  clearFaults(): void {
    this.http.clearFaults();
  }

  /** Refuses connections until `up()`. */
  down(): Promise<void> {
    return this.http.down();
  }

  up(): Promise<void> {
    return this.http.up();
  }

  async stop(): Promise<void> {
    this.delivery.stop();
    await this.http.close();
  }
}
