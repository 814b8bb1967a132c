/** The channels of the broadcast benchmark: bot `bot`'s n-th channel (both processes compute them alike). */
export function channelOf(bot: number, n: number): number {
  return -1_005_000_000_000 - bot * 1_000_000 - n;
}
