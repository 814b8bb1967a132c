/**
 * The emulator as a process (what the demo runs): JSON config in, one "listening" line out,
 * tokens only in the --tokens-out file, driven over /_emulator/, stopped by SIGTERM.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateToken } from '@nova/telegram-emulator';
import { rawCall } from '@nova/telegram-emulator/testing';

const BIN = join(import.meta.dirname, '../../packages/telegram-emulator/dist/bin.js');

describe('nova-telegram-emulator (bin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-telegram-emulator-'));
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(() => { child?.kill('SIGKILL'); });

  it('starts from a JSON config, serves the Bot API and the control API, and stops on SIGTERM', async () => {
    const fixedToken = generateToken(1_111_111);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ port: 0, rateLimits: false, bots: [{ username: 'fixed_bot', token: fixedToken }, { username: 'fresh_bot' }] }));
    const running = spawn(process.execPath, [BIN, '--config', join(dir, 'config.json'), '--tokens-out', join(dir, 'tokens.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = running;
    running.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: running.stdout });
      lines.once('line', (line) => { output += line; resolve(line); });
      running.once('exit', (code) => { reject(new Error(`emulator exited with ${String(code)}: ${output}`)); });
    });
    const ready = JSON.parse(firstLine) as { event: string; apiRoot: string; bots: { id: number; username: string }[] };
    expect(ready.event).toBe('listening');
    expect(ready.bots).toEqual([{ id: 1_111_111, username: 'fixed_bot' }, { id: expect.any(Number), username: 'fresh_bot' }]);
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { token: string; username: string }[];
    expect(tokens[0]?.token).toBe(fixedToken);
    const freshToken = tokens[1]?.token ?? '';
    expect(firstLine).not.toContain(freshToken.split(':')[1]);

    expect((await rawCall(ready.apiRoot, freshToken, 'getMe')).body['result']).toEqual(expect.objectContaining({ username: 'fresh_bot' }));
    const control = (path: string, init?: RequestInit) => fetch(`${ready.apiRoot}/_emulator${path}`, init).then(async (response) => ({ status: response.status, body: (await response.json()) }));
    const sent = await control('/messages', { method: 'POST', body: JSON.stringify({ botId: 1_111_111, from: { id: 9, first_name: 'Ann' }, text: '/start' }) });
    expect(sent.body).toEqual(expect.objectContaining({ update_id: expect.any(Number), message: expect.objectContaining({ text: '/start' }) }));
    await rawCall(ready.apiRoot, fixedToken, 'sendMessage', { chat_id: 9, text: 'Welcome' });
    expect((await control('/chats/9/messages')).body).toEqual([expect.objectContaining({ text: 'Welcome' })]);
    expect((await control('/calls?method=sendMessage')).body).toEqual([expect.objectContaining({ botId: 1_111_111, ok: true })]);
    expect((await control('/nothing')).status).toBe(404);
    expect((await control('/messages', { method: 'POST', body: '{}' })).status).toBe(400);

    const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain(fixedToken);
  });
});
