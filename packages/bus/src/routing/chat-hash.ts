/**
 * Which of 100 buckets a chat falls in, for one context. A chat goes to the target while its
 * bucket is below the context's weight, so:
 *
 *  - it is sticky: the same chat always lands in the same bucket (no state, every process agrees);
 *  - raising the weight only adds buckets, so chats only move legacy → target as it grows, and
 *    all come back at 0;
 *  - the bucket is seeded by the context, so the first 10 % of stage 2 (users) are not the same
 *    chats as the first 10 % of stage 3 (bots): one unlucky group of users does not carry every canary.
 *
 * The hash is 32-bit FNV-1a over the UTF-8 bytes of `<context> NUL <key>`, finished with
 * MurmurHash3's fmix32 (FNV alone mixes the last bytes poorly, and chat ids differ mostly in their
 * last digits). The bucket is the top of the 32-bit range scaled to 0–99, not `h % 100`, which
 * would favour low buckets. Other implementations (an SRE's script, another language) reproduce it
 * from this description; `chat-hash.test.ts` pins known values.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

function fnv1a(state: number, text: string): number {
  let hash = state;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x80) return fnv1aBytes(hash, encoder.encode(text.slice(index)));
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  return hash;
}

function fnv1aBytes(state: number, bytes: Uint8Array): number {
  let hash = state;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME);
  return hash;
}

function fmix32(input: number): number {
  let hash = input;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The FNV state after `<context> NUL`, computed once per context. */
const seeds = new Map<string, number>();

function seedOf(context: string): number {
  let seed = seeds.get(context);
  if (seed === undefined) {
    seed = Math.imul(fnv1a(FNV_OFFSET, context) ^ 0, FNV_PRIME);
    seeds.set(context, seed);
  }
  return seed;
}

/** The 32-bit hash of `key` in `context`. */
export function chatHash(context: string, key: string): number {
  return fmix32(fnv1a(seedOf(context), key));
}

/** The bucket (0–99) of `key` in `context`: the chat goes to the target when it is below the weight. */
export function routingBucket(context: string, key: string): number {
  return Math.floor((chatHash(context, key) * 100) / 0x1_0000_0000);
}
