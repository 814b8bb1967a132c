import { FluentBundle, FluentDateTime, FluentNumber, FluentResource, FluentType, type FluentVariable, type Message, type Scope } from '@fluent/bundle';
import { CatalogueError, MessageFormatError, MissingMessageError } from './errors.js';
import { LOCALES, type Locale } from './locale.js';

/**
 * A typed message catalogue: the FTL text of every locale, and a spec naming each message id and
 * the arguments it takes. `format` is typed by the spec, so a call with an unknown id or a missing
 * argument does not compile; at runtime every locale is checked against the spec when the catalogue
 * is made (checkCatalogue), so a locale missing a message fails at start, not in a person's chat.
 */

/** What a message takes: strings, counts, Fluent values (money, dates: see money(), utcDate()). */
export type MessageArgument = string | number | bigint | FluentNumber | FluentDateTime | FluentMoney;

/** Each message id with the names of its arguments (an empty list: none). */
export type CatalogueSpec = Readonly<Record<string, readonly string[]>>;

export type ArgumentsOf<S extends CatalogueSpec, Id extends keyof S> = { readonly [Name in S[Id][number]]: MessageArgument };

/** format()'s tail: no arguments for a message without any, else an object naming them all. */
export type FormatTail<S extends CatalogueSpec, Id extends keyof S> = S[Id] extends readonly [] ? [] : [ArgumentsOf<S, Id>];

/** The FTL text of each locale. Held in .ts modules so tsc ships it with the compiled code. */
export type CatalogueSources = Readonly<Record<Locale, string>>;

type Pattern = NonNullable<Message['value']>;

/** Every variable a pattern reads, through selectors, variants and function arguments. */
function variablesOf(pattern: Pattern, into: Set<string>): Set<string> {
  if (typeof pattern === 'string') return into;
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const expression = node as { type?: string; name?: string; selector?: unknown; variants?: { value: Pattern }[]; args?: unknown[]; value?: unknown };
    if (expression.type === 'var' && expression.name !== undefined) into.add(expression.name);
    if (expression.selector !== undefined) visit(expression.selector);
    for (const variant of expression.variants ?? []) variablesOf(variant.value, into);
    for (const argument of expression.args ?? []) visit(argument);
    if (expression.type === 'narg') visit(expression.value);
  };
  for (const element of pattern) visit(element);
  return into;
}

/** The message ids an FTL source defines, with the variables each reads (its value and attributes). */
export function messagesOf(source: string): Map<string, Set<string>> {
  const resource = new FluentResource(source);
  const messages = new Map<string, Set<string>>();
  for (const entry of resource.body) {
    // Terms (-brand) are shared wording, not messages code asks for.
    if (entry.id.startsWith('-')) continue;
    const variables = new Set<string>();
    if (entry.value !== null) variablesOf(entry.value, variables);
    for (const attribute of Object.values(entry.attributes)) variablesOf(attribute, variables);
    messages.set(entry.id, variables);
  }
  return messages;
}

/** Lines that start a message or term: what a source defines when nothing in it is junk. */
function declaredIds(source: string): string[] {
  return [...source.matchAll(/^(-?[a-zA-Z][\w-]*)[ \t]*=/gm)].map((match) => match[1] ?? '').filter((id) => !id.startsWith('-'));
}

/**
 * What is wrong with a catalogue: junk FTL (Fluent skips what it cannot parse, silently), a
 * message of the spec missing from a locale, one a locale has that the spec does not (unused),
 * and a message whose arguments differ from the spec's (a translation that drops a count, or
 * reads one the code never passes). Empty when all is well.
 */
export function catalogueProblems(spec: CatalogueSpec, sources: CatalogueSources): string[] {
  const problems: string[] = [];
  for (const locale of LOCALES) {
    const source = sources[locale];
    const messages = messagesOf(source);
    const skipped = declaredIds(source).filter((id) => !messages.has(id));
    if (skipped.length > 0) problems.push(`${locale}: not valid FTL at ${skipped.join(', ')}`);
    for (const [id, names] of Object.entries(spec)) {
      const variables = messages.get(id);
      if (variables === undefined) {
        problems.push(`${locale}: missing message "${id}"`);
        continue;
      }
      const wanted = [...names].sort().join(',');
      const read = [...variables].sort().join(',');
      if (wanted !== read) problems.push(`${locale}: message "${id}" reads {${read}}, the spec says {${wanted}}`);
    }
    for (const id of messages.keys()) if (!(id in spec)) problems.push(`${locale}: message "${id}" is not in the spec (unused)`);
  }
  return problems;
}

/** Throws a CatalogueError listing every problem (see catalogueProblems). */
export function checkCatalogue(name: string, spec: CatalogueSpec, sources: CatalogueSources): void {
  const problems = catalogueProblems(spec, sources);
  if (problems.length > 0) throw new CatalogueError(name, problems);
}

function toFluent(value: MessageArgument): FluentVariable {
  return typeof value === 'bigint' ? Number(value) : value;
}

export class Catalogue<S extends CatalogueSpec> {
  private readonly bundles: ReadonlyMap<Locale, FluentBundle>;

  /** Checks the sources against the spec first (throws CatalogueError). */
  constructor(
    readonly name: string,
    readonly spec: S,
    sources: CatalogueSources,
  ) {
    checkCatalogue(name, spec, sources);
    this.bundles = new Map(
      LOCALES.map((locale) => {
        // No Unicode isolation marks (U+2068/U+2069) around arguments: Telegram shows them, copies
        // them into what a person pastes back (a @username, a command), and neither language here is RTL.
        const bundle = new FluentBundle(locale, { useIsolating: false });
        const errors = bundle.addResource(new FluentResource(sources[locale]));
        if (errors.length > 0) throw new CatalogueError(name, errors.map((error) => `${locale}: ${error.message}`));
        return [locale, bundle] as const;
      }),
    );
  }

  /** The message `id` in `locale` with its arguments; throws MissingMessageError / MessageFormatError. */
  format<Id extends keyof S & string>(locale: Locale, id: Id, ...tail: FormatTail<S, Id>): string {
    const bundle = this.bundles.get(locale);
    const message = bundle?.getMessage(id);
    if (bundle === undefined || message?.value == null) throw new MissingMessageError(this.name, id, locale);
    const given = (tail[0] ?? {}) as Readonly<Record<string, MessageArgument>>;
    const args: Record<string, FluentVariable> = {};
    for (const [name, value] of Object.entries(given)) args[name] = toFluent(value);
    const errors: Error[] = [];
    const text = bundle.formatPattern(message.value, args, errors);
    if (errors.length > 0) throw new MessageFormatError(this.name, id, locale, errors.map((error) => error.message));
    return text;
  }

  /** A formatter bound to one locale: t('id', { … }). */
  in(locale: Locale): <Id extends keyof S & string>(id: Id, ...tail: FormatTail<S, Id>) => string {
    return (id, ...tail) => this.format(locale, id, ...tail);
  }
}

/**
 * An amount of money formatted by the locale ("299,00 ₽", "RUB 299.00"). Intl formats it from its
 * decimal text, so minor units never pass through a float (a bigint past 2^53 stays exact).
 */
export class FluentMoney extends FluentType<string> {
  constructor(
    decimal: string,
    readonly currency: string,
    readonly fractionDigits: number,
  ) {
    super(decimal);
  }

  toString(scope: Scope): string {
    const format = scope.memoizeIntlObject(Intl.NumberFormat, { style: 'currency', currency: this.currency, minimumFractionDigits: this.fractionDigits, maximumFractionDigits: this.fractionDigits });
    // Intl.NumberFormat takes a decimal string exactly (ES2023 Intl.NumberFormat v3); its type says number | bigint.
    return format.format(this.value as unknown as number);
  }
}

/** An amount from minor units (kopecks, cents): money(29_900n, 'RUB') is 299.00 roubles. */
export function money(minorUnits: bigint, currency: string, fractionDigits = 2): FluentMoney {
  const negative = minorUnits < 0n;
  const digits = (negative ? -minorUnits : minorUnits).toString().padStart(fractionDigits + 1, '0');
  const decimal = fractionDigits === 0 ? digits : `${digits.slice(0, -fractionDigits)}.${digits.slice(-fractionDigits)}`;
  return new FluentMoney(`${negative ? '-' : ''}${decimal}`, currency, fractionDigits);
}

/** A moment in UTC (Nova's times are UTC: "at 2027-01-01 09:00" is read as UTC), as a date or a date and time. */
export function utcDate(date: Date, withTime = false): FluentDateTime {
  return new FluentDateTime(date.getTime(), withTime ? { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' } : { dateStyle: 'medium', timeZone: 'UTC' });
}

/** A duration in words for the locale ("5 minutes", "5 минут"), plurals included (Intl.DurationFormat). */
export function duration(locale: Locale, parts: DurationParts): string {
  return new DurationFormat(locale, { style: 'long' }).format(parts);
}

export interface DurationParts { readonly days?: number; readonly hours?: number; readonly minutes?: number }

// Node 24 has Intl.DurationFormat (ES2025); the repository's TypeScript lib is ES2024, which does not declare it.
const DurationFormat = (Intl as unknown as { DurationFormat: new (locale: string, options: { style: 'long' }) => { format(parts: DurationParts): string } }).DurationFormat;

/** money() as text for a locale, outside a message (a list line built in code). */
export function formatMoney(locale: Locale, minorUnits: bigint, currency: string, fractionDigits = 2): string {
  const amount = money(minorUnits, currency, fractionDigits);
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
  return format.format(amount.value as unknown as number);
}

/** utcDate() as text for a locale. */
export function formatUtcDate(locale: Locale, date: Date, withTime = false): string {
  return new Intl.DateTimeFormat(locale, utcDate(date, withTime).opts).format(date);
}
