/**
 * The fuzzers' source of randomness: a small seeded generator (mulberry32), so a failure replays
 * exactly with `NOVA_FUZZ_SEED=<seed>`, and each file prints its seed and the number of cases it
 * ran. Written here rather than taken from fast-check: the fuzzers build their cases from the
 * project's own material (valid updates, the CRD's OpenAPI schema, the proto schemas) and mutate
 * them in ways specific to each surface, which fast-check's arbitraries would not shorten, and
 * shrinking a case that needs a live process is not worth its time here.
 */

export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.below(items.length)] as T;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.below(256);
    return out;
  }

  /** A short string of printable ASCII, Latin-1, Cyrillic, emoji and control characters. */
  text(maxLength = 12): string {
    const alphabets = ['abcXYZ019 ', '.-_/%:\\"\'{}[]', 'äöüßé', 'Привет', '😀🚀', '\u0000\u0007\n\t\u007f', '\ud800'];
    let out = '';
    const length = this.below(maxLength + 1);
    for (let i = 0; i < length; i++) {
      // Code points on purpose: a lone surrogate and split emoji are part of the fuzz.
      const alphabet = Array.from(this.pick(alphabets));
      out += this.pick(alphabet);
    }
    return out;
  }
}

/** The run's seed: NOVA_FUZZ_SEED to replay one, else a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.NOVA_FUZZ_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`NOVA_FUZZ_SEED must be an integer, got "${given}"`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** One line a failure can be replayed from, and the number of cases run (printed by every fuzzer). */
export function reportRun(file: string, seed: number, cases: number, extra = ''): void {
  console.log(`fuzz ${file}: seed ${String(seed)}, ${String(cases)} cases${extra === '' ? '' : `, ${extra}`} (replay: NOVA_FUZZ_SEED=${String(seed)})`);
}

/** The seed inside an assertion's message, so a failure names it even if the log is cut. */
export function withSeed(seed: number, what: string): string {
  return `[NOVA_FUZZ_SEED=${String(seed)}] ${what}`;
}
