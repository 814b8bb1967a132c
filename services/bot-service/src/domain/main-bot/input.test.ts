import { describe, expect, it } from '@jest/globals';
import { mainBotInput } from './input.js';
import { BUTTONS } from './texts.js';

describe('mainBotInput', () => {
  it('reads slash commands, with a payload or a bot suffix, case-insensitively', () => {
    expect(mainBotInput('/start')).toEqual({ kind: 'command', command: 'start' });
    expect(mainBotInput('/start ref123')).toEqual({ kind: 'command', command: 'start' });
    expect(mainBotInput('/START@NovaBot')).toEqual({ kind: 'command', command: 'start' });
    expect(mainBotInput('/newbot')).toEqual({ kind: 'command', command: 'add' });
    expect(mainBotInput('/bots')).toEqual({ kind: 'command', command: 'list' });
  });

  it('reads the menu buttons', () => {
    expect(mainBotInput(BUTTONS.add)).toEqual({ kind: 'command', command: 'add' });
    expect(mainBotInput(` ${BUTTONS.cancel} `)).toEqual({ kind: 'command', command: 'cancel' });
    expect(mainBotInput(BUTTONS.remove)).toEqual({ kind: 'command', command: 'remove' });
  });

  it('takes anything else as text, unknown commands and prototype names included', () => {
    expect(mainBotInput('/constructor')).toEqual({ kind: 'text', text: '/constructor' });
    expect(mainBotInput('/unknown')).toEqual({ kind: 'text', text: '/unknown' });
    expect(mainBotInput('  hello ')).toEqual({ kind: 'text', text: 'hello' });
    expect(mainBotInput(undefined)).toEqual({ kind: 'other' });
  });
});
