/** `npm run admin -- <area> <action> [options]`: organisations, users, API keys, forms, and field change history. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { createApiKey, createForm, createOrganisation, createUser, ProvisioningError, requireOrganisation } from '../admin/provisioning.ts';
import { hashPassword, newPassword } from '../shared/secrets.ts';

const usage = `Usage: npm run admin -- <command> [options]    (uses DATABASE_URL, default ./data/coruson.db)

  org add <name>                                 create an organisation with the default forms
  org list
  user add --org <org> --user <name> [--password-stdin | --password <pw>] [--display-name <text>]
                                                 a password is generated and printed when omitted;
                                                 --password-stdin reads it from standard input (kept
                                                 out of the process list and shell history)
  user list [--org <org>]
  user password --user <name> [--password-stdin | --password <pw>]  set a new password
  user disable --user <name> | user enable --user <name>
  key add --user <name> [--label <text>]         prints the new API key once
  key list [--org <org>]
  key revoke <id>
  form add --org <org> --name <name> --prefix <PREFIX> [--owner <text>]
  form list --org <org>
  form deactivate --org <org> --name <name> | form activate --org <org> --name <name>
  field history --org <org> <FieldId>            every change UpdateAdditionalField made to a report field
`;

type Options = { org?: string; user?: string; password?: string; 'display-name'?: string; label?: string; name?: string; prefix?: string; owner?: string };

async function run(store: Store, area: string, action: string, args: string[], o: Options): Promise<string> {
  const need = (value: string | undefined, flag: string): string => {
    if (!value) throw new ProvisioningError(`${area} ${action} needs ${flag}`);
    return value;
  };
  switch (`${area} ${action}`) {
    case 'org add': {
      const { org, forms } = await createOrganisation(store, need(args[0], 'a name'));
      return `Created organisation '${org.name}' (id ${org.id}) with forms: ${forms.map((f) => `${f.name} (${f.numberPrefix})`).join(', ')}`;
    }
    case 'org list':
      return table(['Id', 'Name'], (await store.listOrganisations()).map((x) => [x.id, x.name]));
    case 'user add': {
      const password = o.password ?? newPassword();
      const u = await createUser(store, { organisation: need(o.org, '--org'), userName: need(o.user, '--user'), password, displayName: o['display-name'] });
      return `Created user '${u.userName}' in '${u.orgName}'` + (o.password ? '' : `\nPassword: ${password}\nStore it now: it is not shown again.`);
    }
    case 'user list': {
      const orgId = o.org ? (await requireOrganisation(store, o.org)).id : undefined;
      return table(['Id', 'User', 'Organisation', 'Disabled'], (await store.listUsers(orgId)).map((u) => [u.userId, u.userName, u.orgName, u.disabled ? 'yes' : '']));
    }
    case 'user password': {
      const user = await store.findUser(need(o.user, '--user'));
      if (!user) throw new ProvisioningError(`No user is named '${o.user}'`);
      const password = o.password ?? newPassword();
      if (password.length < 8) throw new ProvisioningError('A password needs at least 8 characters');
      await store.setPassword(user.userId, await hashPassword(password));
      return `Password of '${user.userName}' changed` + (o.password ? '' : `\nPassword: ${password}`);
    }
    case 'user disable':
    case 'user enable': {
      const user = await store.findUser(need(o.user, '--user'));
      if (!user) throw new ProvisioningError(`No user is named '${o.user}'`);
      await store.setUserDisabled(user.userId, action === 'disable');
      return `User '${user.userName}' ${action}d`;
    }
    case 'key add': {
      const { id, key } = await createApiKey(store, need(o.user, '--user'), o.label);
      return `API key ${id} for '${o.user}':\n${key}\nStore it now: only its hash is kept.`;
    }
    case 'key list': {
      const orgId = o.org ? (await requireOrganisation(store, o.org)).id : undefined;
      return table(['Id', 'User', 'Label', 'Created', 'Revoked'], (await store.listApiKeys(orgId)).map((k) => [
        k.id, k.userName, k.label ?? '', new Date(k.createdAt).toISOString(), k.revokedAt ? new Date(k.revokedAt).toISOString() : '',
      ]));
    }
    case 'key revoke': {
      const id = Number(need(args[0], 'a key id'));
      if (!(await store.revokeApiKey(id, Date.now()))) throw new ProvisioningError(`No active API key has id ${args[0]}`);
      return `API key ${id} revoked`;
    }
    case 'form add': {
      const f = await createForm(store, { organisation: need(o.org, '--org'), name: need(o.name, '--name'), numberPrefix: need(o.prefix, '--prefix'), owner: o.owner });
      return `Created form '${f.name}' (${f.numberPrefix}), FormId ${f.formId}`;
    }
    case 'form list': {
      const org = await requireOrganisation(store, need(o.org, '--org'));
      return table(['FormId', 'Name', 'Prefix', 'Status'], (await store.listForms(org.id)).map((f) => [f.formId, f.name, f.numberPrefix, f.status]));
    }
    case 'form activate':
    case 'form deactivate': {
      const org = await requireOrganisation(store, need(o.org, '--org'));
      const form = (await store.listForms(org.id)).find((f) => f.name.toLowerCase() === need(o.name, '--name').toLowerCase());
      if (!form) throw new ProvisioningError(`'${org.name}' has no form named '${o.name}'`);
      await store.setFormStatus(form.pk, action === 'activate' ? 'Active' : 'Inactive');
      return `Form '${form.name}' is now ${action === 'activate' ? 'Active' : 'Inactive'}`;
    }
    case 'field history': {
      const org = await requireOrganisation(store, need(o.org, '--org'));
      const fieldId = need(args[0], 'a FieldId');
      const answer = (a: { value: string | null; values: string[] | null }) => (a.values ? JSON.stringify(a.values) : a.value ?? '');
      const changes = await store.fieldChanges(org.id, fieldId.toLowerCase());
      if (!changes.length) return `No changes are recorded for field ${fieldId} in '${org.name}'`;
      return table(['Changed at (UTC)', 'By', 'Old value', 'New value'],
        changes.map((c) => [new Date(c.changedAt).toISOString(), c.userName, answer(c.old), answer(c.new)]));
    }
    default:
      throw new ProvisioningError(`Unknown command '${area} ${action}'\n\n${usage}`);
  }
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  if (!rows.length) return '(none)';
  const all = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      org: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, 'display-name': { type: 'string' },
      label: { type: 'string' }, name: { type: 'string' }, prefix: { type: 'string' }, owner: { type: 'string' },
      'password-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [area, action, ...rest] = positionals;
  if (values.help || !area || !action) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  if (values['password-stdin']) values.password = (await readStdin()).replace(/\r?\n$/, '');
  const store = await openStore(loadConfig().databaseUrl);
  try {
    process.stdout.write((await run(store, area, action, rest, values)) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`admin: ${err instanceof ProvisioningError || err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? err.message : err?.stack ?? err}\n`);
    process.exit(1);
  },
);
