/** `npm start`: the service with its embedded store. */
import { pino } from 'pino';
import { loadConfig, ConfigError } from './shared/config.ts';
import { MigrationDriftError, openStore, redactUrl, StoreConfigError, StoreUnavailableError } from './store/open-store.ts';
import { bootstrap, ProvisioningError, type BootstrapResult, type BootstrapSettings } from './admin/provisioning.ts';
import type { Store } from './store/store.ts';
import { composeService } from './service.ts';

/**
 * Instances started together on an empty shared database race to create the administrator: the
 * one that loses finds it made and carries on.
 */
async function bootstrapOnce(store: Store, settings: BootstrapSettings): Promise<BootstrapResult | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootstrap(store, settings);
    } catch (err) {
      await new Promise((r) => setTimeout(r, 250 * attempt));
      if ((await store.countUsers()) > 0) return undefined;
      if (attempt >= 3) throw err;
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  const store = await openStore(config.databaseUrl, { importLeaseMs: config.importLeaseMs, statusCachePairs: config.statusCachePairs });
  const first = await bootstrapOnce(store, config.bootstrap);
  if (first) {
    // shown once: only hashes are stored
    const lines = [
      'First start: created the organisation, its administrator and an API key.',
      `  Organisation: ${first.organisation}`,
      `  User name:    ${first.userName}`,
      `  Password:     ${first.generated.password ? first.password : '(from CORUSON_ADMIN_PASSWORD)'}`,
      `  API key:      ${first.generated.apiKey ? first.apiKey : '(from CORUSON_ADMIN_API_KEY)'}`,
      first.generated.password || first.generated.apiKey ? 'Store these now: they are not shown again.' : '',
    ];
    process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
  }
  // a file still being checked when the process stopped was never accepted: its client got no ImportId
  const abandoned = await store.discardAbandonedImports(Date.now());
  if (abandoned) log.warn({ abandoned }, 'removed imports whose files were still being checked at the last stop');
  const app = composeService({ config, store, log });
  app.worker.start();
  await app.http.listen({ port: config.port, host: config.host });
  log.info({ port: config.port, database: redactUrl(config.databaseUrl) }, 'Coruson Reports API listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    // a second signal ends the process at once; the store's transactions keep the data whole either way
    if (stopping) process.exit(1);
    stopping = true;
    // readiness answers 503 from here on and new uploads are refused with Retry-After
    app.readiness.stopping = true;
    log.info({ signal, graceSeconds: config.shutdownGraceMs / 1000 }, 'shutting down');
    setTimeout(() => {
      log.warn({ graceSeconds: config.shutdownGraceMs / 1000 }, 'requests still in flight at the end of the grace period; closing their connections');
      app.http.server.closeAllConnections();
      setTimeout(() => process.exit(1), 5000).unref();
    }, config.shutdownGraceMs).unref();
    const closing = app.close();
    // keep-alive connections with no request in flight would hold the server open
    app.http.server.closeIdleConnections();
    await closing;
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof StoreConfigError || err instanceof StoreUnavailableError || err instanceof ProvisioningError || err instanceof MigrationDriftError) {
    process.stderr.write(`coruson: ${err.message}\n`);
  } else {
    process.stderr.write(`coruson: could not start: ${err?.stack ?? err}\n`);
  }
  process.exit(1);
});
