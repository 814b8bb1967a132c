/** Stops every component globalSetup started, whatever the tests did. */
export default async function globalTeardown(): Promise<void> {
  const bed = globalThis.novaTestbed;
  globalThis.novaTestbed = undefined;
  await bed?.stop();
}
