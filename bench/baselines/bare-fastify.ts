/** Baselines: bare Fastify routes answering the status bench's JSON body (and its XML body, if given), and a trivial one. */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [bodyFile, port, xmlFile] = process.argv.slice(2);
const body = JSON.parse(readFileSync(bodyFile, 'utf8'));
const app = Fastify({ logger: false });
app.get('/status', async () => body);
app.get('/ping', async () => ({ ok: true }));
if (xmlFile) {
  const xml = readFileSync(xmlFile);
  app.get('/status.xml', async (_req, reply) => reply.type('application/xml').send(xml));
}
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
