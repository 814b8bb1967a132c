import type { DeliveryReport } from '../replies/outgoing.js';
import type { Registration } from '../users.js';

/** What processing one update did, for the flow layer's logs and metrics. */
export interface ProcessOutcome {
  /** The processed-update key, `update:<bot>:<update_id>`. */
  readonly effectKey: string;
  /** The update had been processed before (a redelivery): only unsent replies were sent. */
  readonly repeated: boolean;
  readonly registration: Registration;
  readonly delivery: DeliveryReport;
}
