/**
 * Runs in a worker thread: checks one import file at a time and streams its reports back as they
 * are read, already turned into the rows the store stages (the store's staged-rows.ts), so the
 * main thread stays free for requests and only writes them meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { parseImportFile } from './parse-import-file.ts';
import type { FormRef, ImportLimits } from '../shared/report-record.ts';
import type { ParseJob, ThreadMessage } from './parse-pool.ts';
import { StagedRowsBuilder, type StagedRows, transferablesOf } from '../store/staged-rows.ts';

const port = parentPort!;

port.on('message', async (job: ParseJob) => {
  const forms = new Map<string, FormRef>(job.forms.map((f) => [f.name.toLowerCase(), f]));
  const send = (m: ThreadMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  try {
    const outcome = await parseImportFile(Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength), {
      forms: (name) => forms.get(name.toLowerCase()),
      limits: job.limits as ImportLimits,
      batches: {
        into: new StagedRowsBuilder(job.rows),
        onBatch: (rows: StagedRows) => send({ job: job.id, kind: 'rows', rows }, transferablesOf(rows)),
      },
    });
    send({ job: job.id, kind: 'done', outcome });
  } catch (err) {
    send({ job: job.id, kind: 'failed', message: (err as Error)?.stack ?? String(err) });
  }
});
