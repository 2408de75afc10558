/** Hashing of the secrets the store keeps: passwords with argon2id, random tokens with SHA-256. */
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';

// OWASP's argon2id baseline (19 MiB, 2 passes): about 15 ms a hash on this class of machine
const argonOptions = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argonOptions);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the time a real check would, so unknown user names cannot be told apart by timing. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

/** API keys and session ids are long random tokens: a fast hash is enough and allows lookup by hash. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newApiKey(): string {
  return 'ck_' + randomBytes(32).toString('base64url');
}

/** 20 characters, like ServiceStack's session ids. */
export function newSessionId(): string {
  return randomBytes(15).toString('base64url');
}

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}
