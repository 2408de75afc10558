/**
 * Runs in a worker thread: checks one import file at a time and streams its reports back as they
 * are read, so the main thread stays free for requests and can stage the reports meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { parseImportFile, type ParsedReport } from './parse-import-file.ts';
import type { FormRef, ImportLimits } from '../shared/report-record.ts';
import type { ParseJob, ThreadMessage } from './parse-pool.ts';

const port = parentPort!;

port.on('message', async (job: ParseJob) => {
  const forms = new Map<string, FormRef>(job.forms.map((f) => [f.name.toLowerCase(), f]));
  const send = (m: ThreadMessage) => port.postMessage(m);
  try {
    const outcome = await parseImportFile(Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength), {
      forms: (name) => forms.get(name.toLowerCase()),
      limits: job.limits as ImportLimits,
      onReports: (reports: ParsedReport[]) => send({ job: job.id, kind: 'reports', reports }),
    });
    send({ job: job.id, kind: 'done', outcome });
  } catch (err) {
    send({ job: job.id, kind: 'failed', message: (err as Error)?.stack ?? String(err) });
  }
});
