import type { Locale } from './locale.js';

/** A message id the catalogue of a locale does not have: a bug, never shown to a person as text. */
export class MissingMessageError extends Error {
  override readonly name = 'MissingMessageError';
  constructor(
    readonly catalogue: string,
    readonly id: string,
    readonly locale: Locale,
  ) {
    super(`catalogue ${catalogue} has no message "${id}" in locale ${locale}`);
  }
}

/** Fluent reported errors while formatting (an argument missing, a bad reference). */
export class MessageFormatError extends Error {
  override readonly name = 'MessageFormatError';
  constructor(
    readonly catalogue: string,
    readonly id: string,
    readonly locale: Locale,
    readonly problems: readonly string[],
  ) {
    super(`catalogue ${catalogue}, message "${id}" in locale ${locale}: ${problems.join('; ')}`);
  }
}

/** An FTL source that does not parse cleanly, or locales of one catalogue that disagree. */
export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
  constructor(
    readonly catalogue: string,
    readonly problems: readonly string[],
  ) {
    super(`catalogue ${catalogue}: ${problems.join('; ')}`);
  }
}
