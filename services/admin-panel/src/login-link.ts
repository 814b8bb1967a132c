#!/usr/bin/env node
/**
 * nova-admin-login <telegram id> [base url]: prints a sign-in link for an admin, signed with the
 * main bot's token (NOVA_MAIN_BOT_TOKEN) exactly as Telegram's Login Widget signs its data, valid
 * for the panel's NOVA_ADMIN_LOGIN_MAX_AGE. For a panel whose domain is not set up with the
 * widget (the one-machine demo, a first install). Whoever holds the bot token can sign these;
 * the panel still accepts only the admins named in its configuration.
 */
import { signTelegramLogin } from './domain/index.js';

const [id, base = 'http://127.0.0.1:8106'] = process.argv.slice(2);
const token = process.env.NOVA_MAIN_BOT_TOKEN;
if (id === undefined || !/^[1-9]\d{0,15}$/.test(id) || token === undefined || token === '') {
  process.stderr.write('usage: NOVA_MAIN_BOT_TOKEN=... nova-admin-login <telegram id> [panel base URL]\n');
  process.exit(64);
}
const fields = { id, first_name: 'Admin', auth_date: String(Math.floor(Date.now() / 1000)) };
const query = new URLSearchParams({ ...fields, hash: signTelegramLogin(fields, token) });
process.stdout.write(`${new URL(`/admin/auth/telegram?${query.toString()}`, base).toString()}\n`);
