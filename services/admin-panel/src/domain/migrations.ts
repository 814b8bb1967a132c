/**
 * The migrations page's source: each NovaMigration's stage, phase, weight and last analysis, read
 * from the Kubernetes API (the wiring's implementation; get/list/watch only).
 */
export interface MigrationView {
  readonly name: string;
  readonly namespace: string;
  readonly stage: string | undefined;
  readonly route: string;
  readonly phase: string;
  readonly weight: number | undefined;
  readonly step: string;
  readonly analysis: string;
  readonly message: string | undefined;
}

export type MigrationsAnswer =
  | { readonly kind: 'listed'; readonly items: readonly MigrationView[] }
  | { readonly kind: 'unconfigured' }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface MigrationsSource {
  list(): Promise<MigrationsAnswer>;
}

export const NO_KUBERNETES: MigrationsSource = { list: () => Promise.resolve({ kind: 'unconfigured' }) };
