/** The one-machine ingress (nginx, the `nginx` provider's data plane) from the test bed, with the test bed's nginx binary. */
import { component, startIngress as startTestbedIngress, type Ingress, type Stack } from '@nova/testbed';

export type { Ingress };

export function startIngress(stack: Stack, monolithAddress: string): Promise<Ingress> {
  return startTestbedIngress(stack, component('nginx').binary, monolithAddress);
}
