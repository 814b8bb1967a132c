import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import type { Headers } from '../headers.js';

export function toNatsHeaders(from: Headers): MsgHdrs {
  const out = natsHeaders();
  for (const [key, value] of from) out.set(key, value);
  return out;
}

export function fromNatsHeaders(from: MsgHdrs | undefined): Headers {
  const out: Headers = new Map();
  if (from === undefined) return out;
  for (const [key, values] of from) {
    const value = values[0];
    if (value !== undefined) out.set(key, value);
  }
  return out;
}
