import { readFileSync } from 'node:fs';

/** The service's own version, shown in the headers of generated client types. */
export const serviceVersion: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
