/**
 * Per-call options for client-node's generated APIs: an AbortSignal, so a call that hangs on a
 * broken connection gives up when the caller's deadline passes (leader election must not wait
 * on a renew beyond its renew deadline).
 */
import { Observable, type ConfigurationOptions, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

export function withSignal(signal: AbortSignal, options?: ConfigurationOptions): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return {
    ...options,
    middleware: [...(options?.middleware ?? []), middleware],
    middlewareMergeStrategy: 'append',
  };
}

export function withTimeout(ms: number, options?: ConfigurationOptions): ConfigurationOptions {
  return withSignal(AbortSignal.timeout(Math.max(1, Math.floor(ms))), options);
}
