/** A deployable's /readyz as the start-up tests read it: the status and the reasons it gives. */
export interface Readyz {
  readonly status: number;
  readonly reasons?: Record<string, string>;
}

/** Undefined while the process is not listening yet. */
export async function readyz(httpPort: number): Promise<Readyz | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${String(httpPort)}/readyz`);
    const body = (await response.json()) as { reasons?: Record<string, string> };
    return { status: response.status, reasons: body.reasons };
  } catch {
    return undefined; // not listening yet
  }
}
