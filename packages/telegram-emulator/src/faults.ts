/**
 * Faults a test injects into one bot's API: answer 5xx, hang without answering, 429, or do the
 * call and answer it only `answerDelayMs` later (Telegram posted the message, its answer is slow:
 * what a sender that dies meanwhile never learns). A fault lasts `forMs`, or `times` calls, or
 * until cleared, and may be limited to some methods.
 */
export type FaultKind =
  | { readonly status: 500 | 502 | 503 | 504 }
  | { readonly hang: true }
  | { readonly retryAfter: number }
  | { readonly answerDelayMs: number };

export type FaultSpec = FaultKind & {
  readonly forMs?: number;
  readonly times?: number;
  /** Only these methods (case-insensitive); all when absent. */
  readonly methods?: readonly string[];
};

interface ActiveFault {
  readonly spec: FaultSpec;
  readonly until: number;
  remaining: number;
  readonly methods: ReadonlySet<string> | undefined;
}

export class FaultPlan {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec, now: number): () => void {
    const fault: ActiveFault = {
      spec,
      until: spec.forMs === undefined ? Number.POSITIVE_INFINITY : now + spec.forMs,
      remaining: spec.times ?? Number.POSITIVE_INFINITY,
      methods: spec.methods === undefined ? undefined : new Set(spec.methods.map((method) => method.toLowerCase())),
    };
    this.faults.push(fault);
    return () => { this.faults = this.faults.filter((active) => active !== fault); };
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault that applies to this call, used up by one. */
  take(method: string, now: number): FaultKind | undefined {
    this.faults = this.faults.filter((fault) => fault.until > now && fault.remaining > 0);
    const fault = this.faults.find((active) => active.methods === undefined || active.methods.has(method.toLowerCase()));
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    return fault.spec;
  }
}

export const BAD_GATEWAY_HTML = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';
