/**
 * SQLite's errors that say the database cannot serve now rather than that the request was wrong:
 * another connection holds the write lock past the busy timeout, or the disk is full or failing.
 * better-sqlite3 has rolled the transaction back by the time they reach the caller.
 */
import { DatabaseUnavailableError } from '../store.ts';

function reasonOf(code: string): string | undefined {
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'The database is busy';
  if (/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)/.test(code)) return 'The database cannot write at the moment';
  return undefined;
}

function unavailable(err: unknown): unknown {
  const reason = reasonOf((err as { code?: unknown })?.code as string ?? '');
  return reason ? new DatabaseUnavailableError(reason, { cause: err }) : err;
}

/** The store with every method's such errors turned into DatabaseUnavailableError. */
export function withUnavailableErrors<T extends object>(store: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      let w = wrapped.get(name);
      if (!w) {
        w = (...args: unknown[]) => {
          try {
            const out = (value as (...a: unknown[]) => unknown).apply(target, args);
            return out instanceof Promise ? out.catch((err) => Promise.reject(unavailable(err))) : out;
          } catch (err) {
            throw unavailable(err);
          }
        };
        wrapped.set(name, w);
      }
      return w;
    },
  });
}
