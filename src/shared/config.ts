/** Settings, from the environment. README "Configuration" documents each one. */
import { defaultImportLimits, type ImportLimits } from './report-record.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL: how long a process holds an import it works on without renewing it, before another takes it over */
  importLeaseMs: number;
  /** how often each process removes what a stopped one left of its imports */
  importSweepMs: number;
  /** most report id → number pairs the store keeps in memory for status polls */
  statusCachePairs: number;
  logLevel: string;
  /** stack traces in error responses */
  debug: boolean;
  /** proxies in front of the service: how many hops, or which addresses (never every hop: clients could choose their own address) */
  trustProxy: number | string | false;
  limits: ImportLimits;
  /** largest body of a request carrying a file, derived from the file limit (base64 grows a file by a third) */
  bodyLimit: number;
  /** largest body of any other request */
  smallBodyLimit: number;
  /** file uploads received at once; more are refused with 503 until one is done */
  maxConcurrentImports: number;
  /** uploads one user may send at once, so one caller cannot hold every slot */
  maxConcurrentImportsPerCaller: number;
  /** a body that stops arriving for idleMs, or takes longer than totalMs, is answered 408 and its connection closed */
  bodyTimeouts: { idleMs: number; totalMs: number };
  /** origins, besides the service's own, whose pages may send cookie-authenticated state changes */
  allowedOrigins: ReadonlySet<string>;
  /** Prometheus metrics at /metrics (METRICS=off leaves them out, hooks and all) */
  metrics: boolean;
  /** when set, /metrics asks for it as a Bearer token */
  metricsToken: string | undefined;
  /** how long requests in flight get to finish after SIGTERM or SIGINT */
  shutdownGraceMs: number;
  bootstrap: { organisation: string; userName: string; password?: string; apiKey?: string };
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer of at least ${min}, not '${raw}'`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  return /^(1|true|yes|on)$/i.test(env[name] ?? '');
}

function trustProxy(raw: string | undefined): number | string | false {
  if (!raw) return false;
  if (/^\d+$/.test(raw)) return Number(raw) || false;
  if (!/^[\w.:/]+(\s*,\s*[\w.:/]+)*$/.test(raw)) {
    throw new ConfigError(`TRUST_PROXY is a number of proxy hops or a comma-separated list of proxy addresses, not '${raw}'`);
  }
  return raw;
}

function allowedOrigins(raw: string | undefined): ReadonlySet<string> {
  const list = (raw ?? '').split(',').map((o) => o.trim().toLowerCase()).filter(Boolean);
  for (const o of list) {
    if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(o) && !/^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/.test(o)) {
      throw new ConfigError(`ALLOWED_ORIGINS is a comma-separated list of origins such as https://console.example.com, not '${o}'`);
    }
  }
  return new Set(list);
}

/** report id → number pairs the status cache keeps: about 200 bytes of heap each, 100 MB at the bound */
export const DEFAULT_STATUS_CACHE_PAIRS = 500_000;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const maxFileBytes = int(env, 'MAX_IMPORT_FILE_MB', defaultImportLimits.maxFileBytes / 1048576) * 1048576;
  const limits: ImportLimits = {
    ...defaultImportLimits,
    maxFileBytes,
    maxReports: int(env, 'MAX_IMPORT_REPORTS', defaultImportLimits.maxReports),
    maxErrors: int(env, 'MAX_IMPORT_ERRORS', defaultImportLimits.maxErrors),
  };
  const maxConcurrentImports = int(env, 'MAX_CONCURRENT_IMPORTS', 4);
  return {
    port: int(env, 'PORT', 8080, 0),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || './data/coruson.db',
    importLeaseMs: int(env, 'IMPORT_LEASE_SECONDS', 30) * 1000,
    importSweepMs: int(env, 'IMPORT_SWEEP_SECONDS', 30) * 1000,
    statusCachePairs: int(env, 'STATUS_CACHE_PAIRS', DEFAULT_STATUS_CACHE_PAIRS),
    logLevel: env.LOG_LEVEL || 'info',
    debug: bool(env, 'DEBUG'),
    trustProxy: trustProxy(env.TRUST_PROXY),
    limits,
    bodyLimit: Math.ceil((maxFileBytes * 4) / 3) + 1024 * 1024,
    smallBodyLimit: int(env, 'MAX_REQUEST_KB', 1024) * 1024,
    maxConcurrentImports,
    maxConcurrentImportsPerCaller: int(env, 'MAX_CONCURRENT_IMPORTS_PER_CALLER', Math.max(1, maxConcurrentImports - 1)),
    bodyTimeouts: { idleMs: int(env, 'BODY_IDLE_TIMEOUT_SECONDS', 15) * 1000, totalMs: int(env, 'BODY_TIMEOUT_SECONDS', 600) * 1000 },
    allowedOrigins: allowedOrigins(env.ALLOWED_ORIGINS),
    metrics: !/^(0|false|no|off)$/i.test(env.METRICS ?? ''),
    metricsToken: env.METRICS_TOKEN || undefined,
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_SECONDS', 25) * 1000,
    bootstrap: {
      organisation: env.CORUSON_ORGANISATION || 'Default',
      userName: env.CORUSON_ADMIN_USER || 'admin',
      password: env.CORUSON_ADMIN_PASSWORD || undefined,
      apiKey: env.CORUSON_ADMIN_API_KEY || undefined,
    },
  };
}
