/**
 * Serves one context's domain handlers (`ContextHandlers<C>`, keyed by method) on the bus as
 * `svc.<context>.<method>`: the same binding in a service (JetStream bus) and in the monolith
 * (in-process bus), so both answer alike (Decided 1).
 */
import { METHODS, serviceSubject, type ContextName, type ServiceSubject } from '@nova/contracts';
import type { Binding, Bus, RequestContext, RequestHandler } from '@nova/bus';
import type { ContextHandlers, Handler, HandlerContext } from '@nova/domain';
import { toBusError } from './errors.js';

/** The domain's view of a request's deadline: a signal that aborts when the caller stops waiting. */
export function handlerContext(request: Pick<RequestContext, 'deadline'>, now: () => number = Date.now): HandlerContext {
  if (request.deadline === undefined) return {};
  return { signal: AbortSignal.timeout(Math.max(0, request.deadline - now())), deadline: request.deadline };
}

export async function serveContext<C extends ContextName>(bus: Pick<Bus, 'serve'>, context: C, handlers: ContextHandlers<C>): Promise<Binding> {
  const byMethod = handlers as unknown as Readonly<Record<string, Handler<ServiceSubject>>>;
  const table: Record<string, RequestHandler<ServiceSubject>> = {};
  for (const method of METHODS[context] as readonly string[]) {
    const handler = byMethod[method];
    if (handler === undefined) continue;
    const subject: ServiceSubject = serviceSubject(context, method as never);
    table[subject] = async (request, requestContext) => {
      try {
        return await handler(request, handlerContext(requestContext));
      } catch (error) {
        throw toBusError(error, context);
      }
    };
  }
  return bus.serve(context, table);
}
