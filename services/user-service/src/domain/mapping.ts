import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { UserSchema, type User } from '@nova/contracts';
import type { User as UserRow } from '../generated/prisma/client.js';

/** A row as the contract's User; absent optional columns become empty strings (proto3). */
export function userMessage(row: UserRow): User {
  return create(UserSchema, {
    telegramId: row.telegramId,
    firstName: row.firstName,
    lastName: row.lastName ?? '',
    username: row.username ?? '',
    languageCode: row.languageCode ?? '',
    createdAt: timestampFromDate(row.createdAt),
    lastSeenAt: timestampFromDate(row.lastSeenAt),
    blocked: row.blockedAt !== null,
    blockedReason: row.blockedReason ?? '',
    chosenLanguage: row.chosenLanguage ?? '',
  });
}
