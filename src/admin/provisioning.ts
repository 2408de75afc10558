/** Creating organisations, users, keys and forms: shared by the first start and the admin CLI. */
import type { AuthUser, FormRow, Organisation, Store } from '../store/store.ts';
import { hashPassword, newApiKey, newPassword, tokenHash } from '../shared/secrets.ts';

const defaultForms: ReadonlyArray<{ name: string; numberPrefix: string }> = [
  { name: 'Occurrence Report', numberPrefix: 'OCC' },
  { name: 'Hazard Report', numberPrefix: 'HAZ' },
  { name: 'Safety Observation', numberPrefix: 'OBS' },
];

export class ProvisioningError extends Error {}

export async function createOrganisation(store: Store, rawName: string): Promise<{ org: Organisation; forms: FormRow[] }> {
  const name = rawName.trim();
  if (!name || name.length > 200) throw new ProvisioningError('An organisation name is 1 to 200 characters');
  if (await store.findOrganisation(name)) throw new ProvisioningError(`Organisation '${name}' already exists`);
  const now = Date.now();
  const org = await store.createOrganisation(name, now);
  const forms: FormRow[] = [];
  for (const f of defaultForms) forms.push(await store.createForm({ orgId: org.id, ...f, now }));
  return { org, forms };
}

export async function requireOrganisation(store: Store, name: string): Promise<Organisation> {
  const org = await store.findOrganisation(name);
  if (!org) throw new ProvisioningError(`No organisation is named '${name}'`);
  return org;
}

export async function createUser(
  store: Store,
  u: { organisation: string; userName: string; password: string; displayName?: string },
): Promise<AuthUser> {
  const org = await requireOrganisation(store, u.organisation);
  if (!/^[\w.@+-]{1,200}$/.test(u.userName)) throw new ProvisioningError('A user name is 1 to 200 letters, digits or . _ @ + -');
  if (u.password.length < 8) throw new ProvisioningError('A password needs at least 8 characters');
  if (await store.findUser(u.userName)) throw new ProvisioningError(`User '${u.userName}' already exists`);
  return store.createUser({ orgId: org.id, userName: u.userName, displayName: u.displayName, passwordHash: await hashPassword(u.password), now: Date.now() });
}

/** Returns the key itself: the store keeps only its hash, so this is the one time it can be shown. */
export async function createApiKey(store: Store, userName: string, label?: string, key = newApiKey()): Promise<{ id: number; key: string }> {
  const user = await store.findUser(userName);
  if (!user) throw new ProvisioningError(`No user is named '${userName}'`);
  if (key.length < 16) throw new ProvisioningError('An API key needs at least 16 characters');
  const id = await store.createApiKey({ userId: user.userId, keyHash: tokenHash(key), label, now: Date.now() });
  return { id, key };
}

const prefixPattern = /^[A-Z][A-Z0-9]{0,9}$/;

export async function createForm(store: Store, f: { organisation: string; name: string; numberPrefix: string; owner?: string }): Promise<FormRow> {
  const org = await requireOrganisation(store, f.organisation);
  if (!f.name.trim() || f.name.length > 200) throw new ProvisioningError('A form name is 1 to 200 characters');
  if (!prefixPattern.test(f.numberPrefix)) throw new ProvisioningError('A number prefix is 1 to 10 capital letters or digits, starting with a letter');
  const existing = await store.listForms(org.id);
  if (existing.some((x) => x.name.toLowerCase() === f.name.trim().toLowerCase())) {
    throw new ProvisioningError(`Organisation '${org.name}' already has a form named '${f.name}'`);
  }
  return store.createForm({ orgId: org.id, name: f.name.trim(), numberPrefix: f.numberPrefix, owner: f.owner, now: Date.now() });
}

export interface BootstrapSettings { organisation: string; userName: string; password?: string; apiKey?: string }
export interface BootstrapResult { organisation: string; userName: string; password: string; apiKey: string; generated: { password: boolean; apiKey: boolean } }

/** On a first start (no users at all) creates an organisation, its admin and an API key. */
export async function bootstrap(store: Store, s: BootstrapSettings): Promise<BootstrapResult | undefined> {
  if ((await store.countUsers()) > 0) return undefined;
  // refuse bad settings before anything is created: a half-done first start would lock the admin out
  if (s.password !== undefined && s.password.length < 8) throw new ProvisioningError('CORUSON_ADMIN_PASSWORD needs at least 8 characters');
  if (s.apiKey !== undefined && s.apiKey.length < 16) throw new ProvisioningError('CORUSON_ADMIN_API_KEY needs at least 16 characters');
  if (!/^[\w.@+-]{1,200}$/.test(s.userName)) throw new ProvisioningError('CORUSON_ADMIN_USER is 1 to 200 letters, digits or . _ @ + -');
  const password = s.password ?? newPassword();
  if (!(await store.findOrganisation(s.organisation))) await createOrganisation(store, s.organisation);
  await createUser(store, { organisation: s.organisation, userName: s.userName, password, displayName: 'Administrator' });
  const { key } = await createApiKey(store, s.userName, 'bootstrap', s.apiKey);
  return { organisation: s.organisation, userName: s.userName, password, apiKey: key, generated: { password: !s.password, apiKey: !s.apiKey } };
}
